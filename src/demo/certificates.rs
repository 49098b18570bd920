//! The demo's certificate types: twenty of the high-frequency e-certificates
//! (高频电子证照) the seed's reform asks to be shared, each with its issuing
//! department and fields; and how demo items lead to licences.

use sea_orm::ConnectionTrait;

use crate::certificate::rules::{FieldSpec, FieldType as F};
use crate::certificate::store::{self, CertType};
use crate::error::Result;
use crate::identity::SubjectKind::{self, Enterprise as E, Person as P};

/// The type-defining authority of the national catalogue: 国务院办公厅.
pub const AUTHORITY: &str = "11100000000013338W";

type Fields = &'static [(&'static str, &'static str, F, bool)];

/// One demo type: sequence, name, issuing department suffix, holder, validity
/// in months, fields, description.
pub type TypeRow = (
    &'static str,
    &'static str,
    &'static str,
    SubjectKind,
    Option<u32>,
    Fields,
    &'static str,
);

/// (sequence, name, issuing department suffix, holder, validity months, fields, description).
pub const TYPES: &[TypeRow] = &[
    (
        "001",
        "营业执照",
        "SCJGJ",
        E,
        None,
        &[
            ("legalRepresentative", "法定代表人", F::PersonName, true),
            ("registeredCapital", "注册资本", F::Text, false),
            ("businessScope", "经营范围", F::Text, true),
            ("address", "住所", F::Text, true),
            ("establishedOn", "成立日期", F::Date, true),
        ],
        "市场主体登记的凭证",
    ),
    (
        "002",
        "食品经营许可证",
        "SCJGJ",
        E,
        Some(60),
        &[
            ("premises", "经营场所", F::Text, true),
            ("mainBusiness", "主体业态", F::Text, true),
            ("legalRepresentative", "法定代表人", F::PersonName, true),
        ],
        "从事食品销售和餐饮服务的许可",
    ),
    (
        "003",
        "药品经营许可证",
        "SCJGJ",
        E,
        Some(60),
        &[
            ("businessScope", "经营范围", F::Text, true),
            ("warehouse", "仓库地址", F::Text, false),
            ("qualityManager", "质量负责人", F::PersonName, true),
        ],
        "药品批发、零售经营的许可",
    ),
    (
        "004",
        "工业产品生产许可证",
        "SCJGJ",
        E,
        Some(60),
        &[
            ("product", "产品名称", F::Text, true),
            ("productionAddress", "生产地址", F::Text, true),
            ("inspectionReport", "检验报告编号", F::Text, false),
        ],
        "列入目录的工业产品生产的许可",
    ),
    (
        "005",
        "不动产权证书",
        "ZRZYJ",
        P,
        None,
        &[
            ("location", "坐落", F::Text, true),
            ("area", "面积（平方米）", F::Number, true),
            ("use", "用途", F::Text, true),
            ("rightType", "权利类型", F::Text, true),
        ],
        "不动产权利的证明",
    ),
    (
        "006",
        "结婚证",
        "MZJ",
        P,
        None,
        &[
            ("spouseName", "配偶姓名", F::PersonName, true),
            ("spouseIdNumber", "配偶身份证件号", F::IdNumber, true),
            ("registeredOn", "登记日期", F::Date, true),
        ],
        "婚姻登记的证明",
    ),
    (
        "007",
        "居民户口簿",
        "GAJ",
        P,
        None,
        &[
            ("householdAddress", "户籍地址", F::Text, true),
            ("relationToHead", "与户主关系", F::Text, true),
        ],
        "户籍登记的证明",
    ),
    (
        "008",
        "机动车驾驶证",
        "GAJ",
        P,
        Some(72),
        &[
            ("vehicleClass", "准驾车型", F::Text, true),
            ("firstIssuedOn", "初次领证日期", F::Date, true),
        ],
        "准予驾驶机动车的证明",
    ),
    (
        "009",
        "社会保障卡",
        "RSJ",
        P,
        Some(120),
        &[
            ("cardNumber", "卡号", F::Text, true),
            ("bank", "金融账户开户行", F::Text, false),
        ],
        "社会保障身份凭证",
    ),
    (
        "010",
        "道路运输经营许可证",
        "JTJ",
        E,
        Some(72),
        &[
            ("businessScope", "经营范围", F::Text, true),
            ("vehicleCount", "车辆数", F::Number, false),
        ],
        "道路运输经营的许可",
    ),
    (
        "011",
        "旅行社业务经营许可证",
        "WGLTJ",
        E,
        None,
        &[
            ("businessScope", "经营范围", F::Text, true),
            ("depositPaid", "质量保证金已缴纳", F::Boolean, true),
        ],
        "旅行社业务经营的许可",
    ),
    (
        "012",
        "卫生许可证",
        "WJW",
        E,
        Some(48),
        &[
            ("premisesType", "场所类别", F::Text, true),
            ("area", "面积（平方米）", F::Number, false),
        ],
        "公共场所卫生许可",
    ),
    (
        "013",
        "人力资源服务许可证",
        "RSJ",
        E,
        None,
        &[("serviceScope", "服务范围", F::Text, true)],
        "从事职业中介活动的许可",
    ),
    (
        "014",
        "劳务派遣经营许可证",
        "RSJ",
        E,
        Some(36),
        &[("registeredCapital", "注册资本", F::Text, true)],
        "经营劳务派遣业务的许可",
    ),
    (
        "015",
        "建筑业企业资质证书",
        "ZJJ",
        E,
        Some(60),
        &[
            ("qualification", "资质类别", F::Text, true),
            ("grade", "资质等级", F::Text, true),
        ],
        "建筑业企业承揽工程的资质",
    ),
    (
        "016",
        "建筑工程施工许可证",
        "ZJJ",
        E,
        None,
        &[
            ("project", "工程名称", F::Text, true),
            ("projectAddress", "建设地址", F::Text, true),
            ("contractPrice", "合同价格（万元）", F::Number, false),
        ],
        "建筑工程开工的许可",
    ),
    (
        "017",
        "教师资格证书",
        "JYJ",
        P,
        None,
        &[
            ("teachingSubject", "任教学科", F::Text, true),
            ("level", "资格种类", F::Text, true),
        ],
        "从事教师职业的资格",
    ),
    (
        "018",
        "排污许可证",
        "STHJJ",
        E,
        Some(60),
        &[
            ("industry", "行业类别", F::Text, true),
            ("pollutants", "主要污染物", F::Text, true),
        ],
        "排放污染物的许可",
    ),
    (
        "019",
        "出生医学证明",
        "WJW",
        P,
        None,
        &[
            ("birthPlace", "出生地点", F::Text, true),
            ("motherName", "母亲姓名", F::PersonName, true),
        ],
        "出生的医学证明",
    ),
    (
        "020",
        "民办学校办学许可证",
        "RSJ",
        E,
        Some(60),
        &[
            ("schoolName", "学校名称", F::Text, true),
            ("trainingScope", "培训范围", F::Text, true),
        ],
        "民办职业培训学校办学的许可",
    ),
];

/// The licence type a demo item's approval leads to.
pub fn licence_for(item: &str) -> Option<&'static str> {
    Some(match item {
        "410900-SCJGJ-XK-001" | "410900-SCJGJ-XK-002" => "004",
        "410900-SCJGJ-XK-003" => "003",
        "410900-SCJGJ-XK-004" => "002",
        "410900-ZJJ-XK-001" => "016",
        "410900-ZJJ-XK-002" => "015",
        "410900-JTJ-XK-001" => "010",
        "410900-WGLTJ-XK-001" => "011",
        "410900-WJW-XK-001" => "012",
        "410900-RSJ-XK-001" => "013",
        "410900-RSJ-XK-002" => "014",
        "410900-RSJ-XK-003" => "020",
        _ => return None,
    })
}

/// The full code of a demo type.
pub fn code(sequence: &str) -> String {
    format!("{AUTHORITY}{sequence}")
}

/// Inserts the demo types.
pub async fn load(conn: &impl ConnectionTrait) -> Result<()> {
    for (seq, name, dept, holder, months, fields, description) in TYPES {
        let t = CertType {
            code: code(seq),
            name: (*name).to_owned(),
            issuer_dept: format!("410900-{dept}"),
            holder_kind: *holder,
            fields: fields
                .iter()
                .map(|(n, l, k, r)| FieldSpec {
                    name: (*n).to_owned(),
                    label: (*l).to_owned(),
                    kind: *k,
                    required: *r,
                })
                .collect(),
            validity_months: *months,
            description: (*description).to_owned(),
        };
        store::upsert_type(conn, &t).await?;
    }
    Ok(())
}
