//! Azure Blob Storage's REST API, the part diagnostic settings use: containers, append
//! blobs and Append Block with an append-position condition, signed with SharedKey.
//! (Why not an SDK crate: see README, "Diagnostic settings".)

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

/// The storage service version the requests speak.
const VERSION: &str = "2021-08-06";

/// Why a storage request failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("storage unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("storage answered {status}: {code}")]
    Refused { status: u16, code: String },
    #[error("the storage key is not base64")]
    BadKey,
}

/// An account's blob endpoint (`http://127.0.0.1:10000/devstoreaccount1`) and key.
#[derive(Debug, Clone)]
pub struct Account {
    pub endpoint: String,
    pub name: String,
    key: Vec<u8>,
    client: reqwest::Client,
}

impl Account {
    /// The account at `endpoint` (its last path segment or first host label names it).
    pub fn new(endpoint: &str, key: &str) -> Result<Account, BlobError> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&endpoint).map_err(|_| BlobError::Refused {
            status: 0,
            code: format!("bad endpoint {endpoint}"),
        })?;
        let name = match url.path().trim_matches('/') {
            "" => url
                .host_str()
                .unwrap_or("")
                .split('.')
                .next()
                .unwrap_or("")
                .to_string(),
            path => path.split('/').next().unwrap_or("").to_string(),
        };
        let key = STANDARD.decode(key).map_err(|_| BlobError::BadKey)?;
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Account {
            endpoint,
            name,
            key,
            client,
        })
    }

    /// Creates a container; one that exists already is fine.
    pub async fn create_container(&self, container: &str) -> Result<(), BlobError> {
        let url = format!("{}/{container}?restype=container", self.endpoint);
        let status = self.send(Method::PUT, &url, &[], Vec::new()).await?;
        accept(status, &[StatusCode::CREATED, StatusCode::CONFLICT])
    }

    /// Creates an empty append blob unless it exists; its current length.
    pub async fn open_append_blob(&self, container: &str, blob: &str) -> Result<u64, BlobError> {
        let url = self.blob_url(container, blob);
        let headers = [("x-ms-blob-type", "AppendBlob".to_string())];
        let status = self.send_if_absent(&url, &headers).await?;
        if status == StatusCode::CREATED {
            return Ok(0);
        }
        accept(
            status,
            &[StatusCode::CONFLICT, StatusCode::PRECONDITION_FAILED],
        )?;
        self.length(container, blob).await
    }

    /// The blob's length in bytes.
    pub async fn length(&self, container: &str, blob: &str) -> Result<u64, BlobError> {
        let url = self.blob_url(container, blob);
        let response = self.request(Method::HEAD, &url, &[], Vec::new()).await?;
        accept(response.status(), &[StatusCode::OK])?;
        Ok(response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Appends `block` where the blob is `at` bytes long. A response lost after the
    /// append landed is recognised by the blob's new length, so nothing is written twice.
    pub async fn append(
        &self,
        container: &str,
        blob: &str,
        at: u64,
        block: Vec<u8>,
    ) -> Result<u64, BlobError> {
        let url = format!("{}?comp=appendblock", self.blob_url(container, blob));
        let size = block.len() as u64;
        let headers = [("x-ms-blob-condition-appendpos", at.to_string())];
        let status = self.send(Method::PUT, &url, &headers, block).await?;
        if status == StatusCode::CREATED {
            return Ok(at + size);
        }
        if status == StatusCode::PRECONDITION_FAILED
            && self.length(container, blob).await? == at + size
        {
            return Ok(at + size);
        }
        accept(status, &[])?;
        Ok(at + size)
    }

    fn blob_url(&self, container: &str, blob: &str) -> String {
        format!("{}/{container}/{blob}", self.endpoint)
    }

    async fn send_if_absent(
        &self,
        url: &str,
        headers: &[(&str, String)],
    ) -> Result<StatusCode, BlobError> {
        let mut all = headers.to_vec();
        all.push(("If-None-Match", "*".to_string()));
        self.send(Method::PUT, url, &all, Vec::new()).await
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<StatusCode, BlobError> {
        Ok(self.request(method, url, headers, body).await?.status())
    }

    async fn request(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<reqwest::Response, BlobError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| BlobError::Refused {
            status: 0,
            code: format!("bad url {url}"),
        })?;
        let date = httpdate(crate::clock::wall_now());
        let mut signed: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        signed.push(("x-ms-date".into(), date));
        signed.push(("x-ms-version".into(), VERSION.into()));
        let length = body.len();
        let authorization = self.sign(&method, &parsed, &signed, length)?;
        let mut request = self.client.request(method, parsed).body(body);
        for (k, v) in &signed {
            request = request.header(k.as_str(), v.as_str());
        }
        // Azurite (like Azure) wants Content-Length even on an empty Put Blob.
        let request = request.header("Content-Length", length.to_string());
        Ok(request
            .header("Authorization", authorization)
            .send()
            .await?)
    }

    /// SharedKey: HMAC-SHA256 of the canonical request with the account key.
    fn sign(
        &self,
        method: &Method,
        url: &reqwest::Url,
        headers: &[(String, String)],
        length: usize,
    ) -> Result<String, BlobError> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str())
        };
        let length = if length == 0 {
            String::new()
        } else {
            length.to_string()
        };
        let x_ms: BTreeMap<&str, &str> = headers
            .iter()
            .filter(|(k, _)| k.starts_with("x-ms-"))
            .map(|(k, v)| (k.as_str(), v.trim()))
            .collect();
        let mut text = format!(
            "{method}\n\n\n{length}\n\n\n\n\n\n{}\n\n\n",
            header("if-none-match")
        );
        for (k, v) in x_ms {
            text.push_str(&format!("{k}:{v}\n"));
        }
        text.push_str(&format!("/{}{}", self.name, url.path()));
        let query: BTreeMap<String, String> = url
            .query_pairs()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        for (k, v) in query {
            text.push_str(&format!("\n{k}:{v}"));
        }
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(&self.key).map_err(|_| BlobError::BadKey)?;
        mac.update(text.as_bytes());
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        Ok(format!("SharedKey {}:{signature}", self.name))
    }
}

fn accept(status: StatusCode, ok: &[StatusCode]) -> Result<(), BlobError> {
    if status.is_success() || ok.contains(&status) {
        return Ok(());
    }
    Err(BlobError::Refused {
        status: status.as_u16(),
        code: status.canonical_reason().unwrap_or("").to_string(),
    })
}

/// RFC 1123 date, as `x-ms-date` wants it.
fn httpdate(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
