//! Compiles a validated `$filter` into a predicate over compact records.
//!
//! Property paths are resolved once, at compile time, to accessor functions of
//! the resource ([`Fields`]); evaluation then costs one call per referenced
//! field. String comparison is case-insensitive except where Graph documents
//! case-sensitive filters (provisioning).

use super::filter::{CmpOp, Expr, Literal, Operand, Quantifier, StrFunc};
use super::value::Value;
use crate::activity::Plan;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Reads one field of a record (a plain function).
pub type Accessor<R> = for<'a> fn(&'a Plan, &'a R) -> Value<'a>;
/// Reads one field of a record (any closure).
pub type Getter<R> = Box<dyn for<'a> Fn(&'a Plan, &'a R) -> Value<'a> + Send + Sync>;

/// A resource whose records can be filtered.
pub trait Fields: Sized + 'static {
    /// The reader of a property path (already validated against capabilities).
    fn getter(path: &str) -> Option<Getter<Self>>;
    /// Whether string comparisons are case-sensitive on this resource.
    const CASE_SENSITIVE: bool = false;

    /// Fields that are a function of one index of the record (a user, an app, an
    /// error...): a test on them is evaluated once per index value at compile time.
    fn indexed(_path: &str) -> Option<Indexed<Self>> {
        None
    }

    /// A test equivalent to `path eq literal` decided from the record's own
    /// bits (a key, an address), when the record type has one.
    fn equals(_path: &str, _literal: &Literal, _plan: &Plan) -> Option<Predicate<Self>> {
        None
    }
}

/// A field determined by one index of the record.
pub struct Indexed<R> {
    /// The record's index, or None when the field does not apply (then `none` is its value).
    pub key: fn(&Plan, &R) -> Option<u32>,
    /// How many index values there are.
    pub size: fn(&Plan) -> usize,
    /// The field's value for index `i`.
    pub value: for<'a> fn(&'a Plan, u32) -> Value<'a>,
    /// The field's value when the index does not apply.
    pub none: Value<'static>,
}

/// A compiled filter.
pub type Predicate<R> = Box<dyn Fn(&Plan, &R) -> bool + Send + Sync>;
type LeafTest = Box<dyn Fn(&Value<'_>) -> bool + Send + Sync>;
type ItemPredicate = Box<dyn Fn(Item<'_, '_>) -> bool + Send + Sync>;

/// One element of a collection a lambda ranges over.
#[derive(Clone, Copy)]
enum Item<'a, 'v> {
    Primitive(&'a Value<'v>),
    Object(&'a [(&'static str, Value<'v>)]),
}

/// Why a filter could not be compiled (a property this resource cannot read).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("property '{0}' cannot be filtered on this resource")]
pub struct CompileError(pub String);

/// Compiles `expr` for records of type `R` of the tenant in `plan`.
pub fn compile<R: Fields>(expr: &Expr, plan: &Plan) -> Result<Predicate<R>, CompileError> {
    let sensitive = R::CASE_SENSITIVE;
    Ok(match expr {
        Expr::Or(a, b) => {
            let (a, b) = (compile::<R>(a, plan)?, compile::<R>(b, plan)?);
            Box::new(move |p, r| a(p, r) || b(p, r))
        }
        Expr::And(a, b) => {
            let (a, b) = (compile::<R>(a, plan)?, compile::<R>(b, plan)?);
            Box::new(move |p, r| a(p, r) && b(p, r))
        }
        Expr::Not(a) => {
            let a = compile::<R>(a, plan)?;
            Box::new(move |p, r| !a(p, r))
        }
        Expr::Lambda {
            collection,
            quantifier,
            var,
            body,
        } => {
            let path = collection.as_string();
            let body = match (var, body) {
                (Some(var), Some(body)) => Some(compile_item(body, var, sensitive)?),
                _ => None,
            };
            let quantifier = *quantifier;
            match R::indexed(&path) {
                Some(field) => {
                    let test = Box::new(move |v: &Value<'_>| lambda(v, quantifier, body.as_ref()));
                    tabulate(field, test, plan)
                }
                None => {
                    let get = accessor::<R>(&path)?;
                    Box::new(move |p, r| lambda(&get(p, r), quantifier, body.as_ref()))
                }
            }
        }
        other => {
            if let Some(fast) = equality(other, plan) {
                return Ok(fast);
            }
            let test = leaf(other, sensitive)?;
            match leaf_path(other).flatten() {
                None => {
                    let constant = test(&Value::Null);
                    Box::new(move |_, _| constant)
                }
                Some(path) => match R::indexed(&path) {
                    Some(field) => tabulate(field, test, plan),
                    None => {
                        let get = accessor::<R>(&path)?;
                        Box::new(move |p, r| test(&get(p, r)))
                    }
                },
            }
        }
    })
}

/// The record type's own test for `property eq literal` (either way round), if any.
fn equality<R: Fields>(expr: &Expr, plan: &Plan) -> Option<Predicate<R>> {
    let (path, literal) = expr.as_equality()?;
    R::equals(&path.as_string(), literal, plan)
}

/// Evaluates a leaf test once per index value; records then cost one lookup.
fn tabulate<R: Fields>(field: Indexed<R>, test: LeafTest, plan: &Plan) -> Predicate<R> {
    let table: Vec<bool> = (0..(field.size)(plan))
        .map(|i| test(&(field.value)(plan, i as u32)))
        .collect();
    let none = test(&field.none);
    let key = field.key;
    Box::new(move |p, r| key(p, r).map_or(none, |i| table.get(i as usize).copied().unwrap_or(none)))
}

/// The reader of a path, or a compile error naming it.
fn accessor<R: Fields>(path: &str) -> Result<Getter<R>, CompileError> {
    R::getter(path).ok_or_else(|| CompileError(path.to_string()))
}

/// The single property path a comparison or call reads (None for constant tests).
fn leaf_path(expr: &Expr) -> Option<Option<String>> {
    let operands: Vec<&Operand> = match expr {
        Expr::Compare { left, right, .. } => vec![left, right],
        Expr::In { left, .. } => vec![left],
        Expr::Call { target, arg, .. } => vec![target, arg],
        Expr::Bool(o) => vec![o],
        _ => return None,
    };
    Some(operands.into_iter().find_map(path_of))
}

fn path_of(operand: &Operand) -> Option<String> {
    match operand {
        Operand::Path(p) => Some(p.as_string()),
        Operand::ToLower(o) | Operand::ToUpper(o) => path_of(o),
        Operand::Literal(_) => None,
    }
}

/// Compiles a comparison or call into a test of the value of its one path.
fn leaf(expr: &Expr, sensitive: bool) -> Result<LeafTest, CompileError> {
    Ok(match expr {
        Expr::Compare { left, op, right } => {
            let (field_left, lit, op) = match (literal_of(left), literal_of(right)) {
                (None, Some(lit)) => (left.clone(), lit, *op),
                (Some(lit), None) => (right.clone(), lit, flip(*op)),
                (Some(a), Some(b)) => {
                    let result = compare(&literal_value(&a), &literal_value(&b), sensitive)
                        .is_some_and(|o| holds(*op, o));
                    return Ok(Box::new(move |_| result));
                }
                (None, None) => return Err(CompileError("comparison of two properties".into())),
            };
            let lit = literal_value(&lit).into_owned_static();
            Box::new(move |v| {
                let v = transform(&field_left, v);
                match (op, &v, &lit) {
                    (CmpOp::Eq, Value::Null, Value::Null) => true,
                    (CmpOp::Ne, Value::Null, Value::Null) => false,
                    (CmpOp::Ne, _, _) => compare(&v, &lit, sensitive) != Some(Ordering::Equal),
                    _ => compare(&v, &lit, sensitive).is_some_and(|o| holds(op, o)),
                }
            })
        }
        Expr::In { left, values } => {
            let left = left.clone();
            let values: Vec<Value<'static>> = values
                .iter()
                .map(|l| literal_value(l).into_owned_static())
                .collect();
            Box::new(move |v| {
                let v = transform(&left, v);
                values
                    .iter()
                    .any(|lit| compare(&v, lit, sensitive) == Some(Ordering::Equal))
            })
        }
        Expr::Call { func, target, arg } => {
            let Some(needle) = literal_of(arg) else {
                return Err(CompileError("function argument must be a literal".into()));
            };
            let needle = text(&literal_value(&needle))
                .unwrap_or_default()
                .into_owned();
            let (func, target) = (*func, target.clone());
            Box::new(move |v| {
                let v = transform(&target, v);
                text(&v).is_some_and(|hay| string_test(func, &hay, &needle, sensitive))
            })
        }
        Expr::Bool(o) => {
            let o = o.clone();
            Box::new(move |v| matches!(transform(&o, v), Value::Bool(true)))
        }
        _ => return Err(CompileError("unexpected expression".into())),
    })
}

/// Applies tolower/toupper around a path, or evaluates a literal operand.
fn transform<'v>(operand: &Operand, value: &Value<'v>) -> Value<'v> {
    match operand {
        Operand::Path(_) => value.clone(),
        Operand::Literal(l) => literal_value(l).into_owned_static(),
        Operand::ToLower(inner) => map_text(transform(inner, value), |t| t.to_lowercase()),
        Operand::ToUpper(inner) => map_text(transform(inner, value), |t| t.to_uppercase()),
    }
}

fn map_text<'v>(value: Value<'v>, f: impl Fn(&str) -> String) -> Value<'v> {
    match value {
        Value::Str(s) => Value::Str(Cow::Owned(f(&s))),
        other => other,
    }
}

fn literal_of(operand: &Operand) -> Option<Literal> {
    match operand {
        Operand::Literal(l) => Some(l.clone()),
        _ => None,
    }
}

/// The value of a literal.
pub fn literal_value(literal: &Literal) -> Value<'_> {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) | Literal::Guid(s) => Value::Str(Cow::Borrowed(s)),
        Literal::DateTime(at) => Value::Time(crate::store::records::ticks(*at)),
        Literal::Date(d) => Value::Time(crate::store::records::ticks(
            d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        )),
    }
}

impl Value<'_> {
    /// Copies borrowed strings so the value outlives its source.
    pub fn into_owned_static(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => Value::Float(f),
            Value::Time(t) => Value::Time(t),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::List(l) => Value::List(l.into_iter().map(Value::into_owned_static).collect()),
            Value::Objects(o) => Value::Objects(
                o.into_iter()
                    .map(|item| {
                        item.into_iter()
                            .map(|(n, v)| (n, v.into_owned_static()))
                            .collect()
                    })
                    .collect(),
            ),
        }
    }
}

fn text<'v>(value: &Value<'v>) -> Option<Cow<'v, str>> {
    match value {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn string_test(func: StrFunc, hay: &str, needle: &str, sensitive: bool) -> bool {
    let (hay, needle) = if sensitive {
        (Cow::Borrowed(hay), Cow::Borrowed(needle))
    } else {
        (
            Cow::Owned(hay.to_lowercase()),
            Cow::Owned(needle.to_lowercase()),
        )
    };
    match func {
        StrFunc::StartsWith => hay.starts_with(needle.as_ref()),
        StrFunc::EndsWith => hay.ends_with(needle.as_ref()),
        StrFunc::Contains => hay.contains(needle.as_ref()),
    }
}

/// A string's characters in lower case, without allocating.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// Orders two values of compatible types (None when incomparable).
pub fn compare(a: &Value<'_>, b: &Value<'_>, sensitive: bool) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) if sensitive => Some(x.as_ref().cmp(y.as_ref())),
        (Value::Str(x), Value::Str(y)) => Some(folded(x).cmp(folded(y))),
        (Value::Int(x), Value::Str(y)) => y.parse::<i64>().ok().map(|y| x.cmp(&y)),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        other => other,
    }
}

fn holds(op: CmpOp, order: Ordering) -> bool {
    match op {
        CmpOp::Eq => order == Ordering::Equal,
        CmpOp::Ne => order != Ordering::Equal,
        CmpOp::Gt => order == Ordering::Greater,
        CmpOp::Ge => order != Ordering::Less,
        CmpOp::Lt => order == Ordering::Less,
        CmpOp::Le => order != Ordering::Greater,
    }
}

/// Compiles a lambda body over one item bound to `var`.
fn compile_item(expr: &Expr, var: &str, sensitive: bool) -> Result<ItemPredicate, CompileError> {
    Ok(match expr {
        Expr::Or(a, b) => {
            let (a, b) = (
                compile_item(a, var, sensitive)?,
                compile_item(b, var, sensitive)?,
            );
            Box::new(move |v| a(v) || b(v))
        }
        Expr::And(a, b) => {
            let (a, b) = (
                compile_item(a, var, sensitive)?,
                compile_item(b, var, sensitive)?,
            );
            Box::new(move |v| a(v) && b(v))
        }
        Expr::Not(a) => {
            let a = compile_item(a, var, sensitive)?;
            Box::new(move |v| !a(v))
        }
        Expr::Lambda { .. } => return Err(CompileError("nested lambda".into())),
        other => {
            let test = leaf(other, sensitive)?;
            let field = match leaf_path(other).flatten() {
                Some(path) => item_field(&path, var)?,
                None => None,
            };
            Box::new(move |item| match (item, &field) {
                (Item::Primitive(v), None) => test(v),
                (Item::Object(o), Some(name)) => test(&Value::field(o, name)),
                _ => test(&Value::Null),
            })
        }
    })
}

/// `t` → None (the item itself); `t/id` → Some("id").
fn item_field(path: &str, var: &str) -> Result<Option<String>, CompileError> {
    let mut parts = path.splitn(2, '/');
    if parts.next() != Some(var) {
        return Err(CompileError(path.to_string()));
    }
    Ok(parts.next().map(str::to_string))
}

fn lambda(collection: &Value<'_>, quantifier: Quantifier, body: Option<&ItemPredicate>) -> bool {
    let items: Vec<Item<'_, '_>> = match collection {
        Value::List(items) => items.iter().map(Item::Primitive).collect(),
        Value::Objects(objects) => objects.iter().map(|o| Item::Object(o)).collect(),
        _ => Vec::new(),
    };
    match (quantifier, body) {
        (Quantifier::Any, None) => !items.is_empty(),
        (Quantifier::All, None) => true,
        (Quantifier::Any, Some(body)) => items.iter().any(|&i| body(i)),
        (Quantifier::All, Some(body)) => items.iter().all(|&i| body(i)),
    }
}
