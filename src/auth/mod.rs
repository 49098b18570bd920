//! Who is calling: token verification, the caller, scopes, and masking.

pub mod jwt;
pub mod mask;
pub mod scope;

use std::collections::BTreeSet;

pub use scope::Scope;

use crate::error::{Error, Result};
use crate::identity::DeptCode;

/// An authenticated calling system, from a verified token.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The calling system (`sub`).
    pub sub: String,
    /// Its department (`dept`), known to the hub.
    pub dept: DeptCode,
    /// The scopes it was granted.
    pub scopes: BTreeSet<Scope>,
}

/// The caller of one request.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No token: public data only.
    Anonymous,
    /// A verified token.
    Authenticated(Principal),
}

impl Caller {
    /// The principal, or `UNAUTHENTICATED` for an anonymous caller.
    pub fn principal(&self) -> Result<&Principal> {
        match self {
            Caller::Authenticated(p) => Ok(p),
            Caller::Anonymous => Err(Error::Unauthenticated(
                "this needs a token: send `Authorization: Bearer <token>`".into(),
            )),
        }
    }

    /// The principal if it holds `scope`; `UNAUTHENTICATED` without a token,
    /// `FORBIDDEN` naming the scope otherwise.
    pub fn require(&self, scope: Scope) -> Result<&Principal> {
        match self {
            Caller::Anonymous => Err(Error::Unauthenticated(format!(
                "this needs a token with scope {scope}: send `Authorization: Bearer <token>`"
            ))),
            Caller::Authenticated(p) if p.scopes.contains(&scope) => Ok(p),
            Caller::Authenticated(_) => Err(Error::Forbidden(format!(
                "this needs scope {scope}, which the token does not grant"
            ))),
        }
    }

    /// Whether the caller holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        matches!(self, Caller::Authenticated(p) if p.scopes.contains(&scope))
    }

    /// Whether personal data may be shown unmasked.
    pub fn sees_pii(&self) -> bool {
        self.has(Scope::PiiRead)
    }

    /// The caller's department, if authenticated.
    pub fn dept(&self) -> Option<&DeptCode> {
        match self {
            Caller::Authenticated(p) => Some(&p.dept),
            Caller::Anonymous => None,
        }
    }

    /// Shows an ID number whole to `pii:read` holders, masked to others.
    pub fn show_id_number(&self, id: &str) -> String {
        if self.sees_pii() {
            id.to_owned()
        } else {
            mask::id_number(id)
        }
    }

    /// Shows a stored subject id: an enterprise's code whole, a person's ID
    /// number masked unless the caller holds `pii:read`.
    pub fn show_subject_id(&self, id: &str) -> String {
        if crate::identity::is_person(id) {
            self.show_id_number(id)
        } else {
            id.to_owned()
        }
    }

    /// Shows a subject's name: an enterprise's whole, a person's masked
    /// unless the caller holds `pii:read`.
    pub fn show_subject_name(&self, id: &str, name: &str) -> String {
        if crate::identity::is_person(id) {
            self.show_person_name(name)
        } else {
            name.to_owned()
        }
    }

    /// Shows a person's name whole to `pii:read` holders, masked to others.
    pub fn show_person_name(&self, name: &str) -> String {
        if self.sees_pii() {
            name.to_owned()
        } else {
            mask::person_name(name)
        }
    }
}

impl Principal {
    /// `FORBIDDEN` unless `owner` is the caller's department: a department
    /// writes only what it owns.
    pub fn must_own(&self, owner: &str, what: &str) -> Result<()> {
        if self.dept.as_str() == owner {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{what} belongs to department {owner}; department {} may not change it",
                self.dept
            )))
        }
    }
}
