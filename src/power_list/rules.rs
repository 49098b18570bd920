//! The rules of power-list items (权力清单), as pure functions over plain values.
//!
//! Sources: 深化放管服方案 (五)1 (the elements of every item);
//! 证明事项方案 (四) (fields excluded from commitments) and (六) (the contents
//! of the notification, no vague or catch-all clause); 涉企经营许可方案 (一)(二).

use async_graphql::{InputObject, SimpleObject};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Money;
use crate::stored_enum;

stored_enum! {
    /// The category of a power-list item (事项类型): the ten categories of
    /// administrative power, plus public services and administrative filings.
    pub enum Category {
        /// 行政许可.
        Licensing = "LICENSING",
        /// 行政处罚.
        Penalty = "PENALTY",
        /// 行政强制.
        Coercion = "COERCION",
        /// 行政征收.
        Levy = "LEVY",
        /// 行政给付.
        Benefit = "BENEFIT",
        /// 行政检查.
        Inspection = "INSPECTION",
        /// 行政确认.
        Confirmation = "CONFIRMATION",
        /// 行政奖励.
        Reward = "REWARD",
        /// 行政裁决.
        Adjudication = "ADJUDICATION",
        /// 其他行政权力.
        OtherPower = "OTHER_POWER",
        /// 公共服务.
        PublicService = "PUBLIC_SERVICE",
        /// 行政备案.
        Filing = "FILING",
    }
}

stored_enum! {
    /// Whether and how an item admits a notification-and-commitment (告知承诺).
    pub enum CommitmentMode {
        /// No commitment route: the normal procedure with all proofs.
        None = "NONE",
        /// 证明事项告知承诺: a named proof is replaced by the applicant's commitment.
        Certification = "CERTIFICATION",
        /// 涉企经营许可告知承诺: a business licence granted on the spot on a commitment.
        BusinessLicense = "BUSINESS_LICENSE",
    }
}

stored_enum! {
    /// The status of an item in the list.
    pub enum ItemStatus {
        /// In force (有效).
        Active = "ACTIVE",
        /// Temporarily not accepted (暂停).
        Suspended = "SUSPENDED",
        /// Removed from the list (取消); final.
        Cancelled = "CANCELLED",
        /// Handed down to lower-level departments (下放).
        Delegated = "DELEGATED",
    }
}

stored_enum! {
    /// A field in which commitments are not allowed (证明事项方案 (四)): risk is
    /// high, errors costly to correct and harm hard to undo.
    pub enum RiskDomain {
        /// 国家安全.
        NationalSecurity = "NATIONAL_SECURITY",
        /// 国家秘密.
        StateSecrets = "STATE_SECRETS",
        /// 公共安全.
        PublicSafety = "PUBLIC_SAFETY",
        /// 金融业审慎监管.
        FinancialPrudential = "FINANCIAL_PRUDENTIAL",
        /// 生态环境保护.
        Ecology = "ECOLOGY",
        /// 直接关系人身健康、生命财产安全.
        LifeHealthProperty = "LIFE_HEALTH_PROPERTY",
        /// 重要涉外.
        ForeignAffairs = "FOREIGN_AFFAIRS",
    }
}

stored_enum! {
    /// How a commitment is checked after the decision (核查方式).
    pub enum VerificationMethod {
        /// Exempt from a dedicated check (免于核查); covered by routine
        /// 双随机、一公开 supervision.
        Exempt = "EXEMPT",
        /// Checked by comparing shared data online (在线核查).
        Online = "ONLINE",
        /// Checked on site by an inspector (现场核查).
        Onsite = "ONSITE",
    }
}

stored_enum! {
    /// The risk level of an item, which sets how closely it is checked.
    pub enum RiskLevel {
        /// 低风险.
        Low = "LOW",
        /// 中风险.
        Medium = "MEDIUM",
        /// 高风险.
        High = "HIGH",
    }
}

/// One condition of an item (许可条件 / 证明内容): quantifiable, no catch-all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "ConditionInput")]
pub struct Condition {
    /// A short code, unique within the item (e.g. `C1`).
    pub code: String,
    /// The condition as published, e.g. "营业场所使用面积不少于 40 平方米".
    pub text: String,
    /// How the hub checks it on shared data (在线核查); without a binding an
    /// inspector checks it on site.
    #[graphql(default)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<ConditionCheck>,
}

stored_enum! {
    /// How a condition is checked.
    pub enum CheckBinding {
        /// The applicant holds a certificate of a type, valid and in force
        /// (`certificateType`).
        HoldsCertificate = "HOLDS_CERTIFICATE",
        /// No credit record in force at or above a severity (`minSeverity`,
        /// default GENERAL).
        NoCreditRecord = "NO_CREDIT_RECORD",
        /// Not on a joint-punishment list that closes the commitment route.
        NotOnPunishmentList = "NOT_ON_PUNISHMENT_LIST",
        /// No false commitment recorded within a number of days (`days`).
        NoFalseCommitmentWithin = "NO_FALSE_COMMITMENT_WITHIN",
        /// A commitment for another item fulfilled (`item`).
        CommitmentFulfilled = "COMMITMENT_FULFILLED",
        /// Checked on site by an inspector (现场核查).
        Onsite = "ONSITE",
        /// The data is not shared online: another department is asked
        /// (`department`, 协助核查).
        Assistance = "ASSISTANCE",
    }
}

/// The check a condition is bound to, with its parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "ConditionCheckInput")]
pub struct ConditionCheck {
    /// The kind of check.
    pub kind: CheckBinding,
    /// For HOLDS_CERTIFICATE: the certificate type's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<String>,
    /// For NO_CREDIT_RECORD: the lowest severity that fails (default GENERAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<crate::credit::rules::Severity>,
    /// For NO_FALSE_COMMITMENT_WITHIN: the number of days looked back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// For COMMITMENT_FULFILLED: the item's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// For ASSISTANCE: the department to ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

impl ConditionCheck {
    /// Refuses a binding without the parameter its kind needs.
    pub fn validate(&self, field: &str) -> Result<()> {
        let missing = |what: &str| {
            Err(Error::bad_field(
                field,
                format!("a {} check needs {what}", self.kind),
            ))
        };
        match self.kind {
            CheckBinding::HoldsCertificate
                if self.certificate_type.as_deref().is_none_or(blank) =>
            {
                missing("certificateType")
            }
            CheckBinding::NoFalseCommitmentWithin if self.days.is_none_or(|d| d == 0) => {
                missing("days (at least 1)")
            }
            CheckBinding::CommitmentFulfilled if self.item.as_deref().is_none_or(blank) => {
                missing("item")
            }
            CheckBinding::Assistance if self.department.as_deref().is_none_or(blank) => {
                missing("department")
            }
            _ => Ok(()),
        }
    }
}

/// One material an applicant hands in (申请材料).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "MaterialInput")]
pub struct Material {
    /// Name of the material.
    pub name: String,
    /// Whether it is required.
    pub required: bool,
    /// Whether, on the commitment route, it may be handed in after the decision
    /// by a due date (事后限期补交).
    #[graphql(default)]
    #[serde(default)]
    pub may_follow: bool,
    /// Form, copies or other requirements.
    pub note: Option<String>,
}

/// An intermediary service the item needs (中介服务).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "IntermediaryServiceInput")]
pub struct IntermediaryService {
    /// Name of the service, e.g. "产品检验检测".
    pub name: String,
    /// The legal basis for requiring it.
    pub basis: String,
}

/// A fee and its basis (收费标准及依据).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "FeeInput")]
pub struct Fee {
    /// What is charged for.
    pub name: String,
    /// Amount in yuan (元).
    pub amount: Money,
    /// The document that sets the fee.
    pub basis: String,
}

/// How long a decision or licence stays valid (有效期限).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "ValidityInput")]
pub struct Validity {
    /// Validity in months; empty when it does not expire or does not apply.
    pub months: Option<u32>,
    /// Anything else about validity, e.g. "长期有效".
    pub note: Option<String>,
}

/// The liability of a false commitment, told to the applicant (不实承诺的法律责任).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "LiabilityInput")]
pub struct Liability {
    /// Civil liability (民事责任).
    pub civil: String,
    /// Administrative liability (行政责任).
    pub administrative: String,
    /// Criminal liability (刑事责任).
    pub criminal: String,
}

/// Whether, how widely and for how long a signed commitment is published
/// (承诺书是否公开、公开范围及时限).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "PublicationInput")]
pub struct Publication {
    /// Whether commitments under this item are published for public supervision.
    pub published: bool,
    /// Where, e.g. "濮阳市人民政府门户网站、i濮阳".
    pub scope: Option<String>,
    /// For how many months.
    pub months: Option<u32>,
}

/// The written notification (告知内容) an applicant reads and signs, as the
/// seed requires it [证明事项方案 (六)]. It is frozen into every commitment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "NotificationInput")]
pub struct Notification {
    /// The proof replaced or the conditions to meet (证明内容或者许可条件).
    pub proof_or_conditions: String,
    /// Requirements on the materials (材料要求).
    pub material_requirements: String,
    /// The liability of a false commitment.
    pub liability: Liability,
    /// The department's power to verify (行政机关核查权力).
    pub verification_power: String,
    /// Publication of the signed commitment.
    pub publication: Publication,
}

/// Verification method for each credit level [证明事项方案 (七)].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "MethodsByCreditInput")]
pub struct MethodsByCredit {
    /// For subjects with good credit (守信).
    pub good: VerificationMethod,
    /// For subjects with warnings only (轻微失信, 关注).
    pub warned: VerificationMethod,
}

/// How and when commitments under the item are checked (核查办法).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "VerificationPolicyInput")]
pub struct VerificationPolicy {
    /// Working days after the decision by which the check is due (批后核查时限).
    pub deadline_days: u16,
    /// Method by the applicant's credit level. Applicants whose credit is worse
    /// cannot use the commitment route at all.
    pub methods: MethodsByCredit,
    /// The item's risk level.
    pub risk_level: RiskLevel,
}

/// Every element of an item beyond its indexed columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetails {
    /// 设定依据.
    pub legal_basis: Vec<String>,
    /// 许可条件 / 证明内容.
    pub conditions: Vec<Condition>,
    /// 办理程序, step by step.
    pub procedure: Vec<String>,
    /// 申请材料.
    pub materials: Vec<Material>,
    /// 适用范围.
    pub scope: String,
    /// 有效期限.
    pub validity: Validity,
    /// 中介服务.
    pub intermediary_services: Vec<IntermediaryService>,
    /// 收费标准及依据.
    pub fees: Vec<Fee>,
    /// Fields that exclude a commitment.
    pub risk_domains: Vec<RiskDomain>,
    /// For CERTIFICATION: the proof the commitment replaces.
    pub replaced_proof: Option<String>,
    /// 告知内容, where the item admits a commitment.
    pub notification: Option<Notification>,
    /// 核查办法, where the item admits a commitment.
    pub verification_policy: Option<VerificationPolicy>,
    /// For DELEGATED items: the departments now implementing it.
    #[serde(default)]
    pub delegated_to: Vec<String>,
    /// The township centres and village stations where it may be received
    /// (事项下沉), while its department still decides.
    #[serde(default)]
    pub accepted_at: Vec<String>,
}

/// An item as a department defines it: everything but its bookkeeping.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemDraft {
    /// 事项编码.
    pub code: String,
    /// 事项名称.
    pub name: String,
    /// 事项类型.
    pub category: Category,
    /// 承诺方式.
    pub commitment_mode: CommitmentMode,
    /// 法定办结时限, working days.
    pub statutory_days: u16,
    /// 承诺办结时限, working days.
    pub promised_days: u16,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Last day in force, if set.
    pub effective_to: Option<NaiveDate>,
    /// The other elements.
    pub details: ItemDetails,
}

/// Phrases that make a condition or material a catch-all (兜底条款) or vague
/// (模糊表述), which the seed forbids [证明事项方案 (六), 涉企经营许可方案 (二)].
const CATCH_ALL: &[&str] = &[
    "其他条件",
    "其他材料",
    "其他相关材料",
    "其他要求",
    "等其他",
    "规定的其他",
    "认为需要",
    "认为必要",
    "有关规定",
    "相关规定",
    "另行通知",
];

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn require_text(field: &str, value: &str) -> Result<()> {
    if blank(value) {
        Err(Error::bad_field(
            field,
            format!("{field} must not be empty"),
        ))
    } else {
        Ok(())
    }
}

fn no_catch_all(field: &str, text: &str) -> Result<()> {
    match CATCH_ALL.iter().find(|p| text.contains(*p)) {
        Some(phrase) => Err(Error::bad_field(
            field,
            format!(
                "{field} contains the catch-all phrase \"{phrase}\": every condition and material \
                 must be specific and quantifiable, with no catch-all clause (证明事项方案 (六))"
            ),
        )),
        None => Ok(()),
    }
}

/// Checks an item's code: 4–64 capital letters, digits and '-'.
pub fn check_code(code: &str) -> Result<()> {
    let ok = (4..=64).contains(&code.len())
        && code
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::bad_field(
            "code",
            format!("'{code}' is not an item code: 4–64 capital letters, digits or '-'"),
        ))
    }
}

/// Checks every rule an item must meet before it is stored.
pub fn validate(d: &ItemDraft) -> Result<()> {
    check_code(&d.code)?;
    require_text("name", &d.name)?;
    let x = &d.details;
    if x.legal_basis.iter().all(|b| blank(b)) {
        return Err(Error::bad_field(
            "legalBasis",
            "every item needs its legal basis (设定依据)",
        ));
    }
    require_text("scope", &x.scope)?;
    let mut codes = std::collections::BTreeSet::new();
    for (i, c) in x.conditions.iter().enumerate() {
        require_text(&format!("conditions[{i}].code"), &c.code)?;
        require_text(&format!("conditions[{i}].text"), &c.text)?;
        if let Some(check) = &c.check {
            check.validate(&format!("conditions[{i}].check"))?;
        }
        no_catch_all(&format!("conditions[{i}].text"), &c.text)?;
        if !codes.insert(c.code.as_str()) {
            return Err(Error::bad_field(
                format!("conditions[{i}].code"),
                format!("condition code {} appears twice", c.code),
            ));
        }
    }
    for (i, m) in x.materials.iter().enumerate() {
        require_text(&format!("materials[{i}].name"), &m.name)?;
        no_catch_all(&format!("materials[{i}].name"), &m.name)?;
    }
    for (i, f) in x.fees.iter().enumerate() {
        require_text(&format!("fees[{i}].name"), &f.name)?;
        require_text(&format!("fees[{i}].basis"), &f.basis)?;
    }
    for (i, s) in x.intermediary_services.iter().enumerate() {
        require_text(&format!("intermediaryServices[{i}].name"), &s.name)?;
        require_text(&format!("intermediaryServices[{i}].basis"), &s.basis)?;
    }
    if d.promised_days > d.statutory_days {
        return Err(Error::bad_field(
            "promisedDays",
            format!(
                "the promised time limit ({} working days) cannot exceed the statutory one ({})",
                d.promised_days, d.statutory_days
            ),
        ));
    }
    if let Some(to) = d.effective_to
        && to < d.effective_from
    {
        return Err(Error::bad_field(
            "effectiveTo",
            "the item cannot end before it takes effect",
        ));
    }
    validate_commitment(d)
}

fn validate_commitment(d: &ItemDraft) -> Result<()> {
    let x = &d.details;
    if d.commitment_mode == CommitmentMode::None {
        if x.notification.is_some() || x.verification_policy.is_some() || x.replaced_proof.is_some()
        {
            return Err(Error::bad_field(
                "commitmentMode",
                "a notification, a verification policy or a replaced proof only make sense with a \
                 commitment mode; set one or leave them out",
            ));
        }
        return Ok(());
    }
    if let Some(domain) = x.risk_domains.first() {
        return Err(Error::bad_field(
            "commitmentMode",
            format!(
                "an item in the field {domain} cannot admit a commitment: matters of national security, \
                 state secrets, public safety, financial prudential supervision, ecology, life, health \
                 and property, and important foreign affairs are excluded (证明事项方案 (四))"
            ),
        ));
    }
    if d.commitment_mode == CommitmentMode::Certification
        && x.replaced_proof.as_deref().is_none_or(blank)
    {
        return Err(Error::bad_field(
            "replacedProof",
            "a certification-matter commitment replaces a named proof: say which (证明事项)",
        ));
    }
    if d.commitment_mode == CommitmentMode::BusinessLicense && d.category != Category::Licensing {
        return Err(Error::bad_field(
            "commitmentMode",
            "the business-licence commitment (涉企经营许可告知承诺) applies only to LICENSING items",
        ));
    }
    if d.commitment_mode == CommitmentMode::BusinessLicense && x.conditions.is_empty() {
        return Err(Error::bad_field(
            "conditions",
            "a business-licence commitment needs the licence conditions listed, so the applicant can commit to them",
        ));
    }
    let n = x.notification.as_ref().ok_or_else(|| {
        Error::bad_field(
            "notification",
            "an item with a commitment mode needs its notification (告知内容)",
        )
    })?;
    require_text("notification.proofOrConditions", &n.proof_or_conditions)?;
    require_text(
        "notification.materialRequirements",
        &n.material_requirements,
    )?;
    require_text("notification.liability.civil", &n.liability.civil)?;
    require_text(
        "notification.liability.administrative",
        &n.liability.administrative,
    )?;
    require_text("notification.liability.criminal", &n.liability.criminal)?;
    require_text("notification.verificationPower", &n.verification_power)?;
    if n.publication.published && n.publication.months.is_none_or(|m| m == 0) {
        return Err(Error::bad_field(
            "notification.publication.months",
            "a published commitment needs a publication period in months (公开时限)",
        ));
    }
    let p = x.verification_policy.as_ref().ok_or_else(|| {
        Error::bad_field(
            "verificationPolicy",
            "an item with a commitment mode needs its verification policy (核查办法)",
        )
    })?;
    if p.deadline_days == 0 {
        return Err(Error::bad_field(
            "verificationPolicy.deadlineDays",
            "the post-approval check needs a deadline of at least one working day",
        ));
    }
    Ok(())
}

/// The statuses an item may move to from `from`.
pub fn next_statuses(from: ItemStatus) -> &'static [ItemStatus] {
    use ItemStatus::*;
    match from {
        Active => &[Suspended, Cancelled, Delegated],
        Suspended => &[Active, Cancelled],
        Delegated => &[Active, Cancelled],
        Cancelled => &[],
    }
}

/// Refuses a status change the list does not allow.
pub fn check_status_change(from: ItemStatus, to: ItemStatus) -> Result<()> {
    let allowed = next_statuses(from);
    if allowed.contains(&to) {
        Ok(())
    } else {
        Err(Error::InvalidTransition {
            entity: "power item",
            action: format!("move to {to}"),
            current: from.to_string(),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        })
    }
}

/// Names of the top-level fields that differ between two drafts.
pub fn changed_fields(a: &ItemDraft, b: &ItemDraft) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut cmp = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    cmp("name", a.name == b.name);
    cmp("category", a.category == b.category);
    cmp("commitmentMode", a.commitment_mode == b.commitment_mode);
    cmp("statutoryDays", a.statutory_days == b.statutory_days);
    cmp("promisedDays", a.promised_days == b.promised_days);
    cmp("effectiveFrom", a.effective_from == b.effective_from);
    cmp("effectiveTo", a.effective_to == b.effective_to);
    let (x, y) = (&a.details, &b.details);
    cmp("legalBasis", x.legal_basis == y.legal_basis);
    cmp("conditions", x.conditions == y.conditions);
    cmp("procedure", x.procedure == y.procedure);
    cmp("materials", x.materials == y.materials);
    cmp("scope", x.scope == y.scope);
    cmp("validity", x.validity == y.validity);
    cmp(
        "intermediaryServices",
        x.intermediary_services == y.intermediary_services,
    );
    cmp("fees", x.fees == y.fees);
    cmp("riskDomains", x.risk_domains == y.risk_domains);
    cmp("replacedProof", x.replaced_proof == y.replaced_proof);
    cmp("notification", x.notification == y.notification);
    cmp(
        "verificationPolicy",
        x.verification_policy == y.verification_policy,
    );
    cmp("delegatedTo", x.delegated_to == y.delegated_to);
    cmp("acceptedAt", x.accepted_at == y.accepted_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn pharmacy() -> ItemDraft {
        ItemDraft {
            code: "410900-SCJGJ-XK-002".into(),
            name: "只经营乙类非处方药的零售企业审批".into(),
            category: Category::Licensing,
            commitment_mode: CommitmentMode::BusinessLicense,
            statutory_days: 20,
            promised_days: 5,
            effective_from: NaiveDate::from_ymd_opt(2021, 1, 8).unwrap(),
            effective_to: None,
            details: ItemDetails {
                legal_basis: vec!["《药品管理法》第五十二条".into()],
                conditions: vec![Condition {
                    code: "C1".into(),
                    text: "营业场所面积不少于 40 平方米".into(),
                    check: None,
                }],
                procedure: vec!["申请".into(), "受理".into(), "决定".into()],
                materials: vec![Material {
                    name: "营业场所平面图".into(),
                    required: true,
                    may_follow: true,
                    note: None,
                }],
                scope: "濮阳市行政区域内".into(),
                notification: Some(Notification {
                    proof_or_conditions: "营业场所面积不少于 40 平方米".into(),
                    material_requirements: "平面图一份".into(),
                    liability: Liability {
                        civil: "赔偿损失".into(),
                        administrative: "撤销许可".into(),
                        criminal: "依法追究".into(),
                    },
                    verification_power: "审批机关可现场核查".into(),
                    publication: Publication {
                        published: true,
                        scope: Some("i濮阳".into()),
                        months: Some(12),
                    },
                }),
                verification_policy: Some(VerificationPolicy {
                    deadline_days: 20,
                    methods: MethodsByCredit {
                        good: VerificationMethod::Online,
                        warned: VerificationMethod::Onsite,
                    },
                    risk_level: RiskLevel::Medium,
                }),
                ..Default::default()
            },
        }
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::BadInput { field: Some(f), .. } => f,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_item_is_valid() {
        validate(&pharmacy()).unwrap();
    }

    #[test]
    fn excluded_fields_cannot_take_a_commitment() {
        let mut d = pharmacy();
        d.details.risk_domains = vec![RiskDomain::PublicSafety];
        assert_eq!(field_of(validate(&d).unwrap_err()), "commitmentMode");
        d.commitment_mode = CommitmentMode::None;
        d.details.notification = None;
        d.details.verification_policy = None;
        validate(&d).unwrap();
    }

    #[test]
    fn catch_all_conditions_are_refused() {
        let mut d = pharmacy();
        d.details.conditions.push(Condition {
            code: "C2".into(),
            text: "法律法规规定的其他条件".into(),
            check: None,
        });
        assert_eq!(field_of(validate(&d).unwrap_err()), "conditions[1].text");
    }

    #[test]
    fn certification_needs_the_replaced_proof() {
        let mut d = pharmacy();
        d.commitment_mode = CommitmentMode::Certification;
        assert_eq!(field_of(validate(&d).unwrap_err()), "replacedProof");
    }

    #[test]
    fn business_licences_are_licences() {
        let mut d = pharmacy();
        d.category = Category::Filing;
        assert_eq!(field_of(validate(&d).unwrap_err()), "commitmentMode");
    }

    #[test]
    fn promised_time_cannot_exceed_statutory_time() {
        let mut d = pharmacy();
        d.promised_days = 30;
        assert_eq!(field_of(validate(&d).unwrap_err()), "promisedDays");
    }

    #[test]
    fn a_notification_needs_every_liability() {
        let mut d = pharmacy();
        if let Some(n) = d.details.notification.as_mut() {
            n.liability.criminal = " ".into();
        }
        assert_eq!(
            field_of(validate(&d).unwrap_err()),
            "notification.liability.criminal"
        );
    }

    #[test]
    fn status_changes_follow_the_table() {
        check_status_change(ItemStatus::Active, ItemStatus::Suspended).unwrap();
        check_status_change(ItemStatus::Suspended, ItemStatus::Active).unwrap();
        let err = check_status_change(ItemStatus::Cancelled, ItemStatus::Active).unwrap_err();
        assert_eq!(err.code(), "INVALID_TRANSITION");
    }

    #[test]
    fn changed_fields_are_named() {
        let a = pharmacy();
        let mut b = a.clone();
        b.promised_days = 3;
        b.details.scope = "全市".into();
        assert_eq!(changed_fields(&a, &b), vec!["promisedDays", "scope"]);
    }
}
