//! The walk that validates a parsed filter against the tables.

use chrono::{DateTime, NaiveTime, Utc};

use super::{ApiVersion, Capability, CapabilityError, Op, Resource, ValueKind, filterable, lookup};
use crate::query::filter::{CmpOp, Expr, Literal, Operand, Path, Quantifier, StrFunc};

/// Walks an expression, tracking lambda variables in scope.
pub(super) struct Checker {
    resource: Resource,
    version: ApiVersion,
    /// Date literals before this instant are too old (activity logs only).
    oldest: DateTime<Utc>,
    /// `(variable, collection path)`, innermost last.
    scopes: Vec<(String, String)>,
}

/// A property operand resolved against the table.
struct Target {
    row: &'static Capability,
    /// The expanded path, for error messages.
    path: String,
}

impl Checker {
    /// A checker for one resource and version; dates before `oldest` are too old.
    pub(super) fn new(resource: Resource, version: ApiVersion, oldest: DateTime<Utc>) -> Checker {
        Checker {
            resource,
            version,
            oldest,
            scopes: Vec::new(),
        }
    }

    pub(super) fn expr(&mut self, expr: &Expr) -> Result<(), CapabilityError> {
        match expr {
            Expr::Or(l, r) | Expr::And(l, r) => {
                self.expr(l)?;
                self.expr(r)
            }
            Expr::Not(e) => self.expr(e),
            Expr::Compare { left, op, right } => self.compare(left, *op, right),
            Expr::In { left, values } => self.in_list(left, values),
            Expr::Call { func, target, arg } => self.call(*func, target, arg),
            Expr::Lambda {
                collection,
                quantifier,
                var,
                body,
            } => self.lambda(collection, *quantifier, var.as_deref(), body.as_deref()),
            Expr::Bool(operand) => self.bare(operand),
        }
    }

    /// `prop op literal` or `literal op prop` (checked as the mirrored operator).
    fn compare(&self, left: &Operand, op: CmpOp, right: &Operand) -> Result<(), CapabilityError> {
        match (left, right) {
            (Operand::Literal(_), Operand::Literal(_)) => Err(CapabilityError::Unsupported(
                "a comparison needs a property".into(),
            )),
            (prop, Operand::Literal(lit)) => self.predicate(prop, op.into(), lit),
            (Operand::Literal(lit), prop) => self.predicate(prop, op.mirrored().into(), lit),
            _ => Err(CapabilityError::Unsupported(
                "comparing two properties is not supported".into(),
            )),
        }
    }

    /// `prop in (v1, v2, …)`: on the directory wherever `eq` is; never on the logs.
    fn in_list(&self, left: &Operand, values: &[Literal]) -> Result<(), CapabilityError> {
        let target = self.property(left)?;
        if self.resource.is_log() {
            return Err(unsupported_op(&target.path, Op::In.name()));
        }
        require_op(&target, Op::In)?;
        values
            .iter()
            .try_for_each(|v| self.literal_fits(&target, v))
    }

    /// `startswith(prop, 'x')`, `endswith(…)`, `contains(…)`.
    fn call(&self, func: StrFunc, target: &Operand, arg: &Operand) -> Result<(), CapabilityError> {
        let target = self.property(target)?;
        require_op(&target, func.into())?;
        match arg {
            Operand::Literal(lit @ (Literal::String(_) | Literal::Guid(_))) => {
                self.literal_fits(&target, lit)
            }
            Operand::Literal(lit) => Err(mismatch(&target, lit)),
            _ => Err(CapabilityError::Unsupported(format!(
                "the second argument of {}() must be a string literal",
                func.name()
            ))),
        }
    }

    /// `coll/any(v: body)`; `all` and unknown collections are rejected.
    fn lambda(
        &mut self,
        collection: &Path,
        quantifier: Quantifier,
        var: Option<&str>,
        body: Option<&Expr>,
    ) -> Result<(), CapabilityError> {
        let (coll, _) = self.expand(collection);
        self.require_collection(&coll, quantifier)?;
        let (Some(var), Some(body)) = (var, body) else {
            return Ok(());
        };
        self.scopes.push((var.to_owned(), coll));
        let result = self.expr(body);
        self.scopes.pop();
        result
    }

    /// The collection must prefix some `any`-only row, and only `any` is supported.
    fn require_collection(&self, coll: &str, q: Quantifier) -> Result<(), CapabilityError> {
        let table = filterable(self.resource, self.version);
        let member = format!("{coll}/");
        let is_collection = table.iter().any(|row| {
            row.ops.contains(&Op::Any) && (row.path == coll || row.path.starts_with(&member))
        });
        if !is_collection {
            return Err(match lookup(self.resource, self.version, coll) {
                Some(_) => unsupported_op(coll, q.keyword()),
                None => CapabilityError::UnknownProperty(coll.to_owned()),
            });
        }
        match q {
            Quantifier::Any => Ok(()),
            Quantifier::All => Err(unsupported_op(coll, "all")),
        }
    }

    /// A bare operand used as a predicate: a boolean property or `true`/`false`.
    fn bare(&self, operand: &Operand) -> Result<(), CapabilityError> {
        match operand {
            Operand::Literal(Literal::Bool(_)) => Ok(()),
            Operand::Literal(lit) => Err(CapabilityError::Unsupported(format!(
                "{lit} is not a boolean expression"
            ))),
            prop => {
                let target = self.property(prop)?;
                if target.row.kind != ValueKind::Bool {
                    return Err(CapabilityError::Unsupported(format!(
                        "'{}' is not a boolean property",
                        target.path
                    )));
                }
                require_op(&target, Op::Eq)
            }
        }
    }

    /// Operator and literal checks for one property/literal pair.
    fn predicate(&self, prop: &Operand, op: Op, lit: &Literal) -> Result<(), CapabilityError> {
        let target = self.property(prop)?;
        require_op(&target, op)?;
        self.literal_fits(&target, lit)
    }

    /// Resolves a property operand, unwrapping `tolower`/`toupper` where allowed.
    fn property(&self, operand: &Operand) -> Result<Target, CapabilityError> {
        match operand {
            Operand::Path(path) => self.resolve(path),
            Operand::Literal(lit) => Err(CapabilityError::Unsupported(format!(
                "expected a property, found the literal {lit}"
            ))),
            Operand::ToLower(inner) | Operand::ToUpper(inner) => self.case_folded(inner),
        }
    }

    /// `tolower(prop)` / `toupper(prop)`: provisioning only, string properties only.
    fn case_folded(&self, inner: &Operand) -> Result<Target, CapabilityError> {
        if !self.resource.allows_case_fold() {
            return Err(CapabilityError::Unsupported(
                "tolower() and toupper() are not supported on this resource".into(),
            ));
        }
        let Operand::Path(path) = inner else {
            return Err(CapabilityError::Unsupported(
                "tolower() and toupper() take a property".into(),
            ));
        };
        let target = self.resolve(path)?;
        match target.row.kind {
            ValueKind::String | ValueKind::Enum | ValueKind::Guid => Ok(target),
            _ => Err(unsupported_op(&target.path, "tolower")),
        }
    }

    /// Looks a path up, enforcing that `any`-only rows are reached through a lambda.
    fn resolve(&self, path: &Path) -> Result<Target, CapabilityError> {
        let (full, via_lambda) = self.expand(path);
        let row = lookup(self.resource, self.version, &full)
            .ok_or_else(|| CapabilityError::UnknownProperty(full.clone()))?;
        let lambda_only = row.ops.contains(&Op::Any);
        if lambda_only && !via_lambda {
            return Err(CapabilityError::Unsupported(format!(
                "'{full}' is a collection: filter it with any()"
            )));
        }
        if via_lambda && !lambda_only {
            return Err(CapabilityError::UnknownProperty(full));
        }
        Ok(Target { row, path: full })
    }

    /// Replaces a leading lambda variable with its collection path.
    fn expand(&self, path: &Path) -> (String, bool) {
        let Some((first, rest)) = path.segments.split_first() else {
            return (String::new(), false);
        };
        let Some((_, coll)) = self.scopes.iter().rev().find(|(v, _)| v == first) else {
            return (path.as_string(), false);
        };
        let mut full = coll.clone();
        for segment in rest {
            full.push('/');
            full.push_str(segment);
        }
        (full, true)
    }

    /// Type and date-window checks for a literal against a property.
    fn literal_fits(&self, target: &Target, lit: &Literal) -> Result<(), CapabilityError> {
        use ValueKind as K;
        match (target.row.kind, lit) {
            (_, Literal::Null) => Ok(()),
            (K::DateTime, Literal::DateTime(at)) => self.recent_enough(*at, lit),
            (K::DateTime, Literal::Date(day)) => {
                self.recent_enough(day.and_time(NaiveTime::MIN).and_utc(), lit)
            }
            (K::DateTime, Literal::String(s)) if lit.is_quoted_date_time() => {
                Err(CapabilityError::QuotedDateTime(s.clone()))
            }
            (
                K::String | K::Guid | K::Enum | K::StringCollection,
                Literal::String(_) | Literal::Guid(_),
            )
            | (K::Int, Literal::Int(_))
            | (K::Bool, Literal::Bool(_)) => Ok(()),
            _ => Err(mismatch(target, lit)),
        }
    }

    /// The activity logs' ~90-day window (I-6620).
    fn recent_enough(&self, at: DateTime<Utc>, lit: &Literal) -> Result<(), CapabilityError> {
        if self.resource.has_date_limit() && at < self.oldest {
            Err(CapabilityError::DateTooOld(lit.to_string()))
        } else {
            Ok(())
        }
    }
}

/// The operator is listed (`in` counts as repeated `eq`).
fn require_op(target: &Target, op: Op) -> Result<(), CapabilityError> {
    let ops = target.row.ops;
    if ops.contains(&op) || (op == Op::In && ops.contains(&Op::Eq)) {
        Ok(())
    } else {
        Err(unsupported_op(&target.path, op.name()))
    }
}

fn unsupported_op(property: &str, op: &str) -> CapabilityError {
    CapabilityError::UnsupportedOperator {
        property: property.to_owned(),
        op: op.to_owned(),
    }
}

fn mismatch(target: &Target, lit: &Literal) -> CapabilityError {
    CapabilityError::TypeMismatch {
        property: target.path.clone(),
        literal: lit.to_string(),
    }
}
