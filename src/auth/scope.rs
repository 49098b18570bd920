//! The scopes a token can carry (space-separated in its `scope` claim).

use std::fmt;

/// One permission a token grants. Power lists, published commitments and
/// departments need none.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Create and change the caller's department's power-list items.
    PowerlistWrite,
    /// Read commitments across departments.
    CommitmentRead,
    /// Accept commitments and move the caller's own through their lifecycle.
    CommitmentWrite,
    /// Read credit records and credit status.
    CreditRead,
    /// Record credit facts the caller's department found.
    CreditWrite,
    /// Read e-certificates.
    CertificateRead,
    /// Issue, suspend, revoke and renew the caller's department's certificates.
    CertificateIssue,
    /// Verify a certificate by identifier or presented document.
    CertificateVerify,
    /// Run online verification (在线核查).
    VerificationRun,
    /// Answer assistance requests (协助核查) addressed to the caller's department.
    AssistanceRespond,
    /// Read dashboard metrics.
    MetricsRead,
    /// See personal data (ID numbers, persons' names) unmasked.
    PiiRead,
    /// Read the audit log and verify its chain.
    AuditRead,
    /// Submit on an applicant's behalf (代办员).
    ProxySubmit,
    /// Answer bad ratings (差评整改).
    RatingRespond,
    /// Report progress on reform tasks.
    TasksReport,
    /// Load the working-day calendar (holiday arrangements of a year).
    CalendarWrite,
    /// Register other regions' certificate issuers in the trusted-issuer registry.
    TrustWrite,
}

impl Scope {
    /// Every scope: those of DESIGN.md, then two the hub adds: `calendar:write`
    /// for the holiday years departments load, and `trust:write` for the
    /// trust decision of registering another region's issuer.
    pub const ALL: [Scope; 18] = [
        Scope::PowerlistWrite,
        Scope::CommitmentRead,
        Scope::CommitmentWrite,
        Scope::CreditRead,
        Scope::CreditWrite,
        Scope::CertificateRead,
        Scope::CertificateIssue,
        Scope::CertificateVerify,
        Scope::VerificationRun,
        Scope::AssistanceRespond,
        Scope::MetricsRead,
        Scope::PiiRead,
        Scope::AuditRead,
        Scope::ProxySubmit,
        Scope::RatingRespond,
        Scope::TasksReport,
        Scope::CalendarWrite,
        Scope::TrustWrite,
    ];

    /// The scope as written in a token.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::PowerlistWrite => "powerlist:write",
            Scope::CommitmentRead => "commitment:read",
            Scope::CommitmentWrite => "commitment:write",
            Scope::CreditRead => "credit:read",
            Scope::CreditWrite => "credit:write",
            Scope::CertificateRead => "certificate:read",
            Scope::CertificateIssue => "certificate:issue",
            Scope::CertificateVerify => "certificate:verify",
            Scope::VerificationRun => "verification:run",
            Scope::AssistanceRespond => "assistance:respond",
            Scope::MetricsRead => "metrics:read",
            Scope::PiiRead => "pii:read",
            Scope::AuditRead => "audit:read",
            Scope::ProxySubmit => "proxy:submit",
            Scope::RatingRespond => "rating:respond",
            Scope::TasksReport => "tasks:report",
            Scope::CalendarWrite => "calendar:write",
            Scope::TrustWrite => "trust:write",
        }
    }

    /// Reads one scope as written in a token.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("credit:delete"), None);
    }
}
