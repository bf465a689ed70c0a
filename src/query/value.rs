//! Values of record fields as `$filter` sees them.

use std::borrow::Cow;

/// One field value of a record, or of an item inside a collection.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    /// 100-ns ticks since the Unix epoch.
    Time(i64),
    /// A collection of primitive values (e.g. `signInEventTypes`).
    List(Vec<Value<'a>>),
    /// A collection of objects (e.g. `targetResources`): each a list of (name, value).
    Objects(Vec<Vec<(&'static str, Value<'a>)>>),
}

impl<'a> Value<'a> {
    /// A borrowed string, or null when absent.
    pub fn opt_str(text: Option<&'a str>) -> Value<'a> {
        text.map_or(Value::Null, |t| Value::Str(Cow::Borrowed(t)))
    }

    /// A borrowed string.
    pub fn str(text: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(text))
    }

    /// The field `name` of an object item.
    pub fn field(item: &[(&'static str, Value<'a>)], name: &str) -> Value<'a> {
        item.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(Value::Null, |(_, v)| v.clone())
    }
}
