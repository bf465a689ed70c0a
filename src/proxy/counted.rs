//! A connection that holds the open-proxy-connections gauge up while it lives.

use prometheus::IntGauge;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `io`, counted in a gauge from creation until drop.
pub struct Counted<T> {
    io: T,
    gauge: IntGauge,
}

impl<T> Counted<T> {
    /// Wraps `io` and adds one to `gauge` until the wrapper is dropped.
    pub fn new(io: T, gauge: IntGauge) -> Counted<T> {
        gauge.inc();
        Counted { io, gauge }
    }

    /// The wrapped connection.
    pub fn get_ref(&self) -> &T {
        &self.io
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
