//! A request's variables checked against the types its operation declares,
//! before anything runs: a value that does not fit its type makes the whole
//! request an error, with no data (GraphQL's CoerceVariableValues).
//!
//! async-graphql checks variables where they are used, while it validates
//! the whole document. The hub validates a document in full only the first
//! time it succeeds (see [`super::GuardedSchema`]); the variables, the one
//! part of a request that changes from one to the next, are checked here on
//! every request, the first included, so a value is refused the same way
//! whether the document is new or not.
//!
//! What is checked is what async-graphql's validation checks of a value:
//! null where the type forbids it, the built-in scalars' forms, enum values,
//! input objects' fields (unknown, missing, one-of). The hub's own scalars
//! (`SubjectId`, `Date`, …) check their text when a field parses them, as
//! they do without this module.

use std::fmt::Write as _;

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument, Type};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{ID, InputType, OutputType, ServerError, SubscriptionType, Value, Variables};

/// The schema's input types, by name.
pub struct InputTypes(Registry);

impl InputTypes {
    /// The input types reachable from the three roots, and the built-in
    /// scalars (a variable may be declared `Boolean` for `@include` alone).
    pub fn of<Q: OutputType, M: OutputType, S: SubscriptionType>() -> Self {
        let mut registry = Registry::default();
        Q::create_type_info(&mut registry);
        M::create_type_info(&mut registry);
        S::create_type_info(&mut registry);
        <bool as InputType>::create_type_info(&mut registry);
        <i32 as InputType>::create_type_info(&mut registry);
        <f64 as InputType>::create_type_info(&mut registry);
        <String as InputType>::create_type_info(&mut registry);
        <ID as InputType>::create_type_info(&mut registry);
        InputTypes(registry)
    }

    /// Checks `variables` against the operation of `doc` the request runs.
    /// An operation that cannot be chosen is let through, for the executor
    /// to say why.
    pub fn check(
        &self,
        doc: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
    ) -> Result<(), ServerError> {
        let op = match (&doc.operations, operation) {
            (DocumentOperations::Single(op), None) => op,
            (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
                Some(op) => op,
                None => return Ok(()),
            },
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
                match ops.values().next() {
                    Some(op) => op,
                    None => return Ok(()),
                }
            }
            _ => return Ok(()),
        };
        for def in &op.node.variable_definitions {
            let name = def.node.name.node.as_str();
            let ty = &def.node.var_type.node;
            let refuse = |message: String| Err(ServerError::new(message, Some(def.pos)));
            match variables.get(name) {
                None if ty.nullable || def.node.default_value.is_some() => {}
                None => return refuse(format!("variable ${name} of type {ty} was not given")),
                Some(value) => {
                    let mut at = format!("${name}");
                    if let Err(problem) = self.fits(ty, value, &mut at) {
                        return refuse(format!("variable ${name} ({ty}): {problem}"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `value` fits `ty`; `at` names the value, for the message.
    fn fits(&self, ty: &Type, value: &Value, at: &mut String) -> Result<(), String> {
        if *value == Value::Null {
            return if ty.nullable {
                Ok(())
            } else {
                Err(format!("{at} must not be null"))
            };
        }
        match &ty.base {
            BaseType::List(item) => match value {
                Value::List(items) => {
                    let len = at.len();
                    for (i, v) in items.iter().enumerate() {
                        let _ = write!(at, "[{i}]");
                        self.fits(item, v, at)?;
                        at.truncate(len);
                    }
                    Ok(())
                }
                // A single value stands for a list of one.
                _ => self.fits(item, value, at),
            },
            BaseType::Named(name) => self.fits_named(name, value, at),
        }
    }

    fn fits_named(&self, name: &str, value: &Value, at: &mut String) -> Result<(), String> {
        // A type the schema does not have is refused by validation.
        let Some(meta) = self.0.types.get(name) else {
            return Ok(());
        };
        match meta {
            MetaType::Scalar {
                is_valid: Some(is_valid),
                ..
            } => {
                if is_valid(value) {
                    Ok(())
                } else {
                    Err(format!("{at} is not a valid {name}: {}", shown(value)))
                }
            }
            MetaType::Scalar { is_valid: None, .. } => Ok(()),
            MetaType::Enum { enum_values, .. } => match value {
                Value::Enum(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                Value::String(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                // The values are not listed: with introspection off, a
                // message must not show the schema.
                _ => Err(format!("{at} is not a value of {name}: {}", shown(value))),
            },
            MetaType::InputObject {
                input_fields,
                oneof,
                ..
            } => {
                let Value::Object(given) = value else {
                    return Err(format!("{at} must be an object ({name}): {}", shown(value)));
                };
                if let Some(unknown) = given
                    .keys()
                    .find(|k| !input_fields.contains_key(k.as_str()))
                {
                    return Err(format!(
                        "{at} has a field {name} does not have: {}",
                        cut(unknown)
                    ));
                }
                if *oneof {
                    let set = given.values().filter(|v| **v != Value::Null).count();
                    if given.len() != 1 || set != 1 {
                        return Err(format!("{at} must set exactly one field of {name}"));
                    }
                }
                let len = at.len();
                for field in input_fields.values() {
                    let Some(ty) = Type::new(&field.ty) else {
                        continue;
                    };
                    match given.get(field.name.as_str()) {
                        Some(v) => {
                            let _ = write!(at, ".{}", field.name);
                            self.fits(&ty, v, at)?;
                            at.truncate(len);
                        }
                        None if ty.nullable || field.default_value.is_some() => {}
                        None => {
                            return Err(format!(
                                "{at} lacks the field {} ({}), which {name} requires",
                                field.name, field.ty
                            ));
                        }
                    }
                }
                Ok(())
            }
            // Not an input type: refused by validation.
            _ => Ok(()),
        }
    }
}

/// A value as a message shows it: the caller's own input, cut short.
fn shown(value: &Value) -> String {
    cut(&value.to_string())
}

/// The first 40 characters of `text`.
fn cut(text: &str) -> String {
    const MOST: usize = 40;
    match text.char_indices().nth(MOST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Mutation, Query};
    use crate::verification::graphql::Subscription;
    use async_graphql::Pos;
    use serde_json::json;

    fn check(doc: &str, operation: Option<&str>, vars: serde_json::Value) -> Result<(), String> {
        let types = InputTypes::of::<Query, Mutation, Subscription>();
        let doc = async_graphql::parser::parse_query(doc).expect("the test's document parses");
        types
            .check(&doc, operation, &Variables::from_json(vars))
            .map_err(|e| e.message)
    }

    #[test]
    fn values_that_fit_pass() {
        let q = "query($n: Int, $id: SubjectId!, $ids: [SubjectId!]!) { powerItems(first: $n) { totalCount } subject(id: $id) { name } subjects(ids: $ids) { name } }";
        assert_eq!(
            check(q, None, json!({"n": 3, "id": "x", "ids": ["a", "b"]})),
            Ok(())
        );
        // Nullable and absent; a single value for a list.
        assert_eq!(check(q, None, json!({"id": "x", "ids": "a"})), Ok(()));
        assert_eq!(
            check(q, None, json!({"n": null, "id": "x", "ids": []})),
            Ok(())
        );
    }

    #[test]
    fn a_required_variable_must_be_given_and_not_null() {
        let q = "query($id: SubjectId!) { subject(id: $id) { name } }";
        let e = check(q, None, json!({})).unwrap_err();
        assert_eq!(e, "variable $id of type SubjectId! was not given");
        let e = check(q, None, json!({"id": null})).unwrap_err();
        assert_eq!(e, "variable $id (SubjectId!): $id must not be null");
        // A default stands in for a value not given.
        let q = "query($n: Int! = 3) { powerItems(first: $n) { totalCount } }";
        assert_eq!(check(q, None, json!({})), Ok(()));
    }

    #[test]
    fn built_in_scalars_enums_and_lists_are_checked() {
        let q = "query($n: Int) { powerItems(first: $n) { totalCount } }";
        let e = check(q, None, json!({"n": "three"})).unwrap_err();
        assert_eq!(e, "variable $n (Int): $n is not a valid Int: \"three\"");
        assert!(check(q, None, json!({"n": 1.5})).is_err());

        let long = "x".repeat(1000);
        let e = check(q, None, json!({ "n": long })).unwrap_err();
        assert!(e.len() < 100 && e.ends_with("xxx…"), "{e}");

        let q = "query($ids: [SubjectId!]!) { subjects(ids: $ids) { name } }";
        let e = check(q, None, json!({"ids": ["a", null]})).unwrap_err();
        assert_eq!(e, "variable $ids ([SubjectId!]!): $ids[1] must not be null");
    }

    #[test]
    fn input_objects_are_checked_field_by_field() {
        let q = "mutation($i: PublishPowerListInput!) { publishPowerList(input: $i) { version { id } } }";
        assert_eq!(
            check(
                q,
                None,
                json!({"i": {"name": "x", "effectiveDate": "2026-01-01"}})
            ),
            Ok(())
        );
        let e = check(q, None, json!({"i": {"name": "x"}})).unwrap_err();
        assert!(e.contains("lacks the field effectiveDate"), "{e}");
        let e = check(
            q,
            None,
            json!({"i": {"name": "x", "effectiveDate": "2026-01-01", "extra": 1}}),
        )
        .unwrap_err();
        assert!(e.ends_with("does not have: extra"), "{e}");
        let e = check(
            q,
            None,
            json!({"i": {"name": 3, "effectiveDate": "2026-01-01"}}),
        )
        .unwrap_err();
        assert!(e.contains("$i.name is not a valid String"), "{e}");
        let e = check(q, None, json!({"i": "x"})).unwrap_err();
        assert!(e.contains("must be an object"), "{e}");
    }

    #[test]
    fn the_operation_the_request_names_is_the_one_checked() {
        let q = "query A($n: Int) { powerItems(first: $n) { totalCount } } query B($m: Int!) { powerItems(first: $m) { totalCount } }";
        assert_eq!(check(q, Some("A"), json!({})), Ok(()));
        assert!(check(q, Some("B"), json!({})).is_err());
        // An operation that cannot be chosen is the executor's to report.
        assert_eq!(check(q, None, json!({})), Ok(()));
        assert_eq!(check(q, Some("C"), json!({})), Ok(()));
    }

    #[test]
    fn the_error_points_at_the_declaration() {
        let types = InputTypes::of::<Query, Mutation, Subscription>();
        let doc = async_graphql::parser::parse_query(
            "query(\n  $n: Int) { powerItems(first: $n) { totalCount } }",
        )
        .expect("parses");
        let e = types
            .check(&doc, None, &Variables::from_json(json!({"n": "x"})))
            .unwrap_err();
        assert_eq!(e.locations, vec![Pos { line: 2, column: 3 }]);
    }
}
