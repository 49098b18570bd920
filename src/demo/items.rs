//! Power-list items of the demo, taken from the seed's text: the items it
//! names, with commitment modes where it gives them (只经营乙类非处方药的零售企业
//! 审批, 工业产品生产许可, 税务证明事项, 接入工程 …) and the excluded fields where
//! the seed excludes them (公共安全, 生态环境, 人身健康, 涉外).

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::error::Result;
use crate::money::Money;
use crate::power_list::rules::{
    Category as C, CheckBinding, CommitmentMode as M, Condition, ConditionCheck, Fee, ItemDetails,
    ItemDraft, ItemStatus, Liability, Material, MethodsByCredit, Notification, Publication,
    RiskDomain as R, RiskLevel, Validity, VerificationMethod, VerificationPolicy, validate,
};
use crate::power_list::store::{self, ChangeBy, PowerItem};

struct Demo {
    code: &'static str,
    name: &'static str,
    dept: &'static str,
    category: C,
    mode: M,
    days: (u16, u16),
    basis: &'static [&'static str],
    conditions: &'static [&'static str],
    materials: &'static [(&'static str, bool)],
    risk: &'static [crate::power_list::rules::RiskDomain],
    proof: Option<&'static str>,
    validity_months: Option<u32>,
    fee: Option<(&'static str, &'static str, &'static str)>,
    risk_level: RiskLevel,
}

const fn d(
    code: &'static str,
    name: &'static str,
    dept: &'static str,
    category: C,
    mode: M,
) -> Demo {
    Demo {
        code,
        name,
        dept,
        category,
        mode,
        days: (20, 5),
        basis: &[],
        conditions: &[],
        materials: &[],
        risk: &[],
        proof: None,
        validity_months: None,
        fee: None,
        risk_level: RiskLevel::Medium,
    }
}

/// The items. Codes: department, category, number.
const ITEMS: &[Demo] = &[
    Demo {
        days: (60, 15),
        basis: &[
            "《中华人民共和国工业产品生产许可证管理条例》第二条",
            "《工业产品生产许可证管理条例实施办法》",
        ],
        conditions: &[
            "有营业执照",
            "有与拟从事的生产活动相适应的专业技术人员不少于 2 名",
            "有与拟从事的生产活动相适应的生产条件和检验检疫手段",
            "提交具有资质的检验检测机构出具的产品检验合格报告（取消发证前产品检验）",
        ],
        materials: &[
            ("工业产品生产许可证申请书", true),
            ("产品检验合格报告", true),
            ("生产设备和检验设备清单", false),
        ],
        validity_months: Some(60),
        ..d(
            "410900-SCJGJ-XK-001",
            "工业产品生产许可证核发",
            "SCJGJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 3),
        basis: &["《工业产品生产许可证管理条例实施办法》第二十九条"],
        conditions: &[
            "生产许可证有效期届满前 1 个月提出延续申请",
            "生产条件无重大变化",
            "有效期内无违法行为",
        ],
        materials: &[("延续申请书", true)],
        validity_months: Some(60),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SCJGJ-XK-002",
            "工业产品生产许可证延续",
            "SCJGJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 5),
        basis: &[
            "《中华人民共和国药品管理法》第五十二条",
            "《药品经营许可证管理办法》",
        ],
        conditions: &[
            "营业场所使用面积不少于 40 平方米",
            "配备依法经过资格认定的药学技术人员不少于 1 名",
            "具有与所经营药品相适应的常温储存设施",
        ],
        materials: &[
            ("药品经营许可证申请表", true),
            ("营业场所平面布局图", true),
            ("药学技术人员资格证书", true),
        ],
        validity_months: Some(60),
        ..d(
            "410900-SCJGJ-XK-003",
            "只经营乙类非处方药的零售企业审批",
            "SCJGJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 3),
        basis: &[
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可管理办法》",
        ],
        conditions: &[
            "仅销售预包装食品",
            "经营场所与有毒有害场所保持 25 米以上距离",
            "设置不少于 1 套食品贮存设施",
        ],
        materials: &[
            ("食品经营许可申请书", true),
            ("经营场所平面图", true),
            ("食品安全管理制度文本", true),
        ],
        validity_months: Some(60),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SCJGJ-XK-004",
            "食品经营许可（仅销售预包装食品）",
            "SCJGJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (15, 1),
        basis: &["《中华人民共和国市场主体登记管理条例》第十七条"],
        conditions: &["住所（经营场所）真实、合法、可用于经营"],
        materials: &[
            ("公司登记（备案）申请书", true),
            ("章程", true),
            ("住所（经营场所）使用证明", true),
        ],
        proof: Some("住所（经营场所）使用证明"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SCJGJ-XK-005",
            "企业设立登记",
            "SCJGJ",
            C::Licensing,
            M::Certification,
        )
    },
    Demo {
        days: (15, 1),
        basis: &["《中华人民共和国市场主体登记管理条例》第二十四条"],
        conditions: &["变更后的住所（经营场所）真实、合法、可用于经营"],
        materials: &[
            ("变更登记申请书", true),
            ("变更后住所（经营场所）使用证明", true),
        ],
        proof: Some("变更后住所（经营场所）使用证明"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SCJGJ-XK-006",
            "企业变更登记",
            "SCJGJ",
            C::Licensing,
            M::Certification,
        )
    },
    Demo {
        days: (20, 3),
        basis: &["《中华人民共和国市场主体登记管理条例》第三十三条"],
        conditions: &[
            "无债权债务或债权债务已清算完结",
            "未发生或已结清清偿费用、职工工资、社会保险费用、法定补偿金和应缴税款",
        ],
        materials: &[("注销登记申请书", true), ("全体投资人承诺书", true)],
        proof: Some("清算报告"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SCJGJ-XK-007",
            "企业简易注销登记",
            "SCJGJ",
            C::Licensing,
            M::Certification,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《特种设备安全法》第三十三条"],
        materials: &[("使用登记表", true), ("产品合格证", true)],
        risk: &[R::PublicSafety],
        ..d(
            "410900-SCJGJ-QR-001",
            "特种设备使用登记",
            "SCJGJ",
            C::Confirmation,
            M::None,
        )
    },
    Demo {
        days: (5, 3),
        basis: &["《强制性产品认证管理规定》第四十二条"],
        materials: &[("免办申请书", true)],
        ..d(
            "410900-SCJGJ-QT-001",
            "强制性产品认证免办证明",
            "SCJGJ",
            C::OtherPower,
            M::None,
        )
    },
    Demo {
        days: (0, 0),
        basis: &["《中华人民共和国工业产品生产许可证管理条例》第四十五条"],
        ..d(
            "410900-SCJGJ-CF-001",
            "对未取得生产许可证生产列入目录产品的行政处罚",
            "SCJGJ",
            C::Penalty,
            M::None,
        )
    },
    Demo {
        days: (0, 0),
        basis: &[
            "《企业信息公示暂行条例》",
            "《市场监督管理随机抽查工作规则》",
        ],
        ..d(
            "410900-SCJGJ-JC-001",
            "“双随机、一公开”监督检查",
            "SCJGJ",
            C::Inspection,
            M::None,
        )
    },
    Demo {
        days: (30, 5),
        basis: &["《不动产登记暂行条例》第二十条"],
        materials: &[
            ("不动产登记申请书", true),
            ("不动产权属证书", true),
            ("主债权合同及抵押合同", true),
        ],
        ..d(
            "410900-ZRZYJ-QR-001",
            "不动产抵押登记",
            "ZRZYJ",
            C::Confirmation,
            M::None,
        )
    },
    Demo {
        days: (30, 5),
        basis: &["《不动产登记暂行条例》第十四条"],
        materials: &[("不动产登记申请书", true), ("权属来源证明", true)],
        ..d(
            "410900-ZRZYJ-QR-002",
            "不动产转移登记",
            "ZRZYJ",
            C::Confirmation,
            M::None,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《中华人民共和国城乡规划法》第四十条"],
        materials: &[("建设工程规划许可申请表", true), ("建设工程设计方案", true)],
        ..d(
            "410900-ZRZYJ-XK-001",
            "建设工程规划许可证核发",
            "ZRZYJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (15, 7),
        basis: &["《建筑工程施工许可管理办法》第四条"],
        conditions: &[
            "已经办理该建筑工程用地批准手续",
            "已经取得建设工程规划许可证",
            "建设资金已经落实",
        ],
        materials: &[
            ("建筑工程施工许可证申请表", true),
            ("建设资金落实承诺书", true),
        ],
        proof: Some("建设资金已经落实的证明"),
        ..d(
            "410900-ZJJ-XK-001",
            "建筑工程施工许可证核发",
            "ZJJ",
            C::Licensing,
            M::Certification,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《建筑业企业资质管理规定》第九条"],
        conditions: &[
            "净资产不少于 200 万元",
            "技术负责人具有 5 年以上从事工程施工技术管理工作经历",
            "持有岗位证书的施工现场管理人员不少于 5 人",
        ],
        materials: &[("资质申请表", true), ("人员证书", true)],
        validity_months: Some(60),
        ..d(
            "410900-ZJJ-XK-002",
            "建筑业企业资质（施工劳务）核准",
            "ZJJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (3, 1),
        basis: &["《城镇燃气管理条例》", "《城市供水条例》"],
        materials: &[("报装申请表", true), ("不动产权属证书", true)],
        risk_level: RiskLevel::Low,
        ..d(
            "410900-ZJJ-GG-001",
            "水气暖报装",
            "ZJJ",
            C::PublicService,
            M::None,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《城市道路管理条例》第三十三条"],
        conditions: &[
            "挖掘面积不超过 100 平方米",
            "施工期限不超过 30 日",
            "施工单位具有市政公用工程施工资质",
        ],
        materials: &[("占用挖掘城市道路申请表", true), ("施工方案", true)],
        proof: Some("施工单位资质证明"),
        ..d(
            "410900-CGJ-XK-001",
            "占用、挖掘城市道路审批（接入工程）",
            "CGJ",
            C::Licensing,
            M::Certification,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《城市绿化条例》第二十条"],
        materials: &[("临时占用绿地申请表", true)],
        ..d(
            "410900-CGJ-XK-002",
            "临时占用城市绿地审批",
            "CGJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《中华人民共和国道路运输条例》第二十四条"],
        conditions: &[
            "有与其经营业务相适应并经检测合格的车辆不少于 1 辆",
            "有符合规定条件的驾驶人员",
            "有健全的安全生产管理制度",
        ],
        materials: &[
            ("道路货物运输经营申请表", true),
            ("车辆行驶证", true),
            ("驾驶人员从业资格证", true),
        ],
        validity_months: Some(72),
        ..d(
            "410900-JTJ-XK-001",
            "道路货物运输经营许可（除危险货物）",
            "JTJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《网络预约出租汽车经营服务管理暂行办法》第五条"],
        materials: &[("网络预约出租汽车经营申请表", true)],
        risk: &[R::PublicSafety],
        ..d(
            "410900-JTJ-XK-002",
            "网络预约出租汽车经营许可",
            "JTJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《旅行社条例》第六条"],
        conditions: &[
            "有固定的经营场所",
            "有必要的营业设施",
            "交纳质量保证金 20 万元",
        ],
        materials: &[
            ("设立申请书", true),
            ("经营场所证明", true),
            ("质量保证金存款证明", true),
        ],
        ..d(
            "410900-WGLTJ-XK-001",
            "旅行社设立许可",
            "WGLTJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《公共场所卫生管理条例》第八条"],
        conditions: &[
            "公共场所卫生设施设备符合卫生规范",
            "从业人员取得健康合格证明",
        ],
        materials: &[("卫生许可申请表", true), ("卫生管理制度", true)],
        validity_months: Some(48),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-WJW-XK-001",
            "公共场所卫生许可",
            "WJW",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (45, 30),
        basis: &["《医疗机构管理条例》第十五条"],
        materials: &[("医疗机构执业登记申请书", true)],
        risk: &[R::LifeHealthProperty],
        ..d(
            "410900-WJW-XK-002",
            "医疗机构执业登记",
            "WJW",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《人力资源市场暂行条例》第十八条"],
        conditions: &[
            "有明确的章程和管理制度",
            "有开展业务必备的固定场所、办公设施",
            "有 5 名以上取得相应职业资格的专职工作人员",
        ],
        materials: &[("人力资源服务许可申请书", true), ("营业执照", true)],
        ..d(
            "410900-RSJ-XK-001",
            "人力资源服务许可",
            "RSJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 10),
        basis: &[
            "《中华人民共和国劳动合同法》第五十七条",
            "《劳务派遣行政许可实施办法》",
        ],
        conditions: &[
            "注册资本不少于人民币 200 万元",
            "有与开展业务相适应的固定的经营场所和设施",
        ],
        materials: &[("劳务派遣经营许可申请书", true), ("验资证明", true)],
        validity_months: Some(36),
        ..d(
            "410900-RSJ-XK-002",
            "劳务派遣经营许可",
            "RSJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《中华人民共和国民办教育促进法》第十二条"],
        conditions: &[
            "有符合要求的章程",
            "有不少于 300 平方米的教学场所",
            "有具备相应资格的专职教学人员不少于 3 名",
        ],
        materials: &[("设立申请书", true), ("场所使用证明", true)],
        ..d(
            "410900-RSJ-XK-003",
            "民办职业技能培训学校设立",
            "RSJ",
            C::Licensing,
            M::BusinessLicense,
        )
    },
    Demo {
        days: (60, 30),
        basis: &["《工伤保险条例》第十七条"],
        conditions: &["与用人单位存在劳动关系"],
        materials: &[
            ("工伤认定申请表", true),
            ("医疗诊断证明书", true),
            ("劳动关系证明", true),
        ],
        proof: Some("劳动关系证明"),
        ..d(
            "410900-RSJ-QR-001",
            "工伤认定",
            "RSJ",
            C::Confirmation,
            M::Certification,
        )
    },
    Demo {
        days: (20, 5),
        basis: &["《专业技术人员职业资格考试管理办法》"],
        conditions: &["从事本专业工作满 3 年"],
        materials: &[("报名表", true), ("工作年限证明", true)],
        proof: Some("工作年限证明"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-RSJ-GG-001",
            "专业技术人员职业资格考试报名",
            "RSJ",
            C::PublicService,
            M::Certification,
        )
    },
    Demo {
        days: (1, 1),
        basis: &["《社会保障卡管理办法》"],
        materials: &[("居民身份证", true)],
        risk_level: RiskLevel::Low,
        ..d(
            "410900-RSJ-GG-002",
            "社会保障卡申领",
            "RSJ",
            C::PublicService,
            M::None,
        )
    },
    Demo {
        days: (5, 1),
        basis: &["《国家医疗保障局关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》"],
        conditions: &["在异地长期居住或工作"],
        materials: &[("异地就医备案表", true), ("异地居住证明", true)],
        proof: Some("异地居住证明"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-YBJ-BA-001",
            "异地就医结算备案",
            "YBJ",
            C::Filing,
            M::Certification,
        )
    },
    Demo {
        days: (30, 20),
        basis: &["《医疗机构医疗保障定点管理暂行办法》第五条"],
        materials: &[("定点申请表", true)],
        risk: &[R::LifeHealthProperty],
        ..d(
            "410900-YBJ-QT-001",
            "医疗机构申请医保定点",
            "YBJ",
            C::OtherPower,
            M::None,
        )
    },
    Demo {
        days: (15, 5),
        basis: &["《社会救助暂行办法》第四十七条"],
        conditions: &["因火灾、交通事故或者突发重大疾病导致基本生活暂时出现严重困难"],
        materials: &[("临时救助申请书", true), ("家庭经济状况证明", true)],
        proof: Some("家庭经济状况证明"),
        ..d(
            "410900-MZJ-JF-001",
            "临时救助给付",
            "MZJ",
            C::Benefit,
            M::Certification,
        )
    },
    Demo {
        days: (30, 20),
        basis: &["《社会救助暂行办法》第十一条"],
        conditions: &[
            "家庭人均收入低于当地最低生活保障标准",
            "家庭财产状况符合当地规定",
        ],
        materials: &[("低保申请书", true), ("收入证明", true)],
        proof: Some("收入证明"),
        ..d(
            "410900-MZJ-JF-002",
            "最低生活保障审批",
            "MZJ",
            C::Benefit,
            M::Certification,
        )
    },
    Demo {
        days: (15, 5),
        basis: &["《公证程序规则》", "《中华人民共和国公证法》第十一条"],
        conditions: &["申请人与被证明人存在亲属关系"],
        materials: &[("公证申请表", true), ("亲属关系证明", true)],
        proof: Some("亲属关系证明"),
        fee: Some(("亲属关系公证", "80", "《河南省公证服务收费标准》")),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SFJ-GG-001",
            "亲属关系公证",
            "SFJ",
            C::PublicService,
            M::Certification,
        )
    },
    Demo {
        days: (15, 3),
        basis: &["《中华人民共和国公证法》第十一条"],
        materials: &[("公证申请表", true), ("学历证书", true)],
        fee: Some(("学历公证", "80", "《河南省公证服务收费标准》")),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SFJ-GG-002",
            "学历公证",
            "SFJ",
            C::PublicService,
            M::None,
        )
    },
    Demo {
        days: (15, 3),
        basis: &["《中华人民共和国公证法》第十一条"],
        materials: &[("公证申请表", true), ("机动车驾驶证", true)],
        fee: Some(("驾驶证公证", "80", "《河南省公证服务收费标准》")),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SFJ-GG-003",
            "驾驶证公证",
            "SFJ",
            C::PublicService,
            M::None,
        )
    },
    Demo {
        days: (7, 3),
        basis: &["《法律援助条例》第十七条"],
        conditions: &["申请人家庭人均收入低于当地法律援助经济困难标准"],
        materials: &[("法律援助申请表", true), ("经济困难状况证明", true)],
        proof: Some("经济困难状况证明"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SFJ-JF-001",
            "法律援助",
            "SFJ",
            C::Benefit,
            M::Certification,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《中华人民共和国户口登记条例》第十条"],
        conditions: &["投靠人与被投靠人存在直系亲属关系"],
        materials: &[("户口迁移申请表", true), ("亲属关系证明", true)],
        proof: Some("亲属关系证明"),
        ..d(
            "410900-GAJ-QR-001",
            "户口迁移（投靠类）",
            "GAJ",
            C::Confirmation,
            M::Certification,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《外国人在中国就业管理规定》第五条"],
        materials: &[("外国人工作许可申请表", true)],
        risk: &[R::ForeignAffairs],
        ..d(
            "410900-KJJ-XK-001",
            "外国人来华工作许可",
            "KJJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (30, 15),
        basis: &["《危险化学品安全管理条例》第三十三条"],
        materials: &[("危险化学品经营许可申请表", true)],
        risk: &[R::PublicSafety],
        validity_months: Some(36),
        ..d(
            "410900-YJGLJ-XK-001",
            "危险化学品经营许可",
            "YJGLJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (30, 20),
        basis: &["《排污许可管理条例》第十条"],
        materials: &[("排污许可申请表", true)],
        risk: &[R::Ecology],
        validity_months: Some(60),
        ..d(
            "410900-STHJJ-XK-001",
            "排污许可证核发",
            "STHJJ",
            C::Licensing,
            M::None,
        )
    },
    Demo {
        days: (10, 8),
        basis: &[
            "《中华人民共和国税收征收管理法》",
            "《出口货物劳务增值税和消费税管理办法》",
        ],
        materials: &[("出口退（免）税申报表", true)],
        ..d(
            "410900-SWJ-QT-001",
            "出口退（免）税审核",
            "SWJ",
            C::OtherPower,
            M::None,
        )
    },
    Demo {
        days: (5, 1),
        basis: &["《国家税务总局关于开展税务证明事项告知承诺制试点工作的公告》"],
        conditions: &["纳税人的涉税事项真实"],
        materials: &[("涉税事项申请表", true)],
        proof: Some("涉税证明材料（改为留存备查）"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-SWJ-QT-002",
            "税务证明事项（留存备查）",
            "SWJ",
            C::OtherPower,
            M::Certification,
        )
    },
    Demo {
        days: (3, 1),
        basis: &["《企业投资项目核准和备案管理条例》第十三条"],
        materials: &[("项目备案信息表", true)],
        ..d(
            "410900-FGW-BA-001",
            "企业投资项目备案",
            "FGW",
            C::Filing,
            M::None,
        )
    },
    Demo {
        days: (20, 10),
        basis: &["《教师资格条例》第十三条"],
        conditions: &[
            "具备国家规定的相应学历",
            "遵守宪法和法律，热爱教育事业，具有良好的思想品德",
        ],
        materials: &[
            ("教师资格认定申请表", true),
            ("学历证书", true),
            ("思想品德鉴定表", true),
        ],
        proof: Some("思想品德鉴定表"),
        risk_level: RiskLevel::Low,
        ..d(
            "410900-JYJ-XK-001",
            "教师资格认定",
            "JYJ",
            C::Licensing,
            M::Certification,
        )
    },
];

fn draft(x: &Demo) -> ItemDraft {
    let committed = x.mode != M::None;
    let mut conditions: Vec<Condition> = x
        .conditions
        .iter()
        .enumerate()
        .map(|(i, t)| Condition {
            code: format!("C{}", i + 1),
            text: (*t).to_owned(),
            check: binding(x.code, i),
        })
        .collect();
    if committed {
        conditions.extend(shared_conditions(x, conditions.len()));
    }
    let materials = x
        .materials
        .iter()
        .map(|(n, required)| Material {
            name: (*n).to_owned(),
            required: *required,
            may_follow: committed && !n.contains("申请"),
            note: None,
        })
        .collect();
    let notification = committed.then(|| Notification {
        proof_or_conditions: match x.proof {
            Some(p) => format!("以书面承诺代替提交“{p}”。"),
            None => x.conditions.join("；"),
        },
        material_requirements: format!("提交{}；承诺后补交的材料须在约定期限内提交。", x.materials.iter().map(|m| m.0).collect::<Vec<_>>().join("、")),
        liability: Liability {
            civil: "因不实承诺给他人造成损失的，依法承担赔偿责任。".into(),
            administrative: "承诺不实的，责令限期整改；逾期不整改或整改后仍不符合条件的，依法撤销行政决定，并记入信用记录。".into(),
            criminal: "涉嫌犯罪的，依法移送司法机关追究刑事责任。".into(),
        },
        verification_power: "行政机关有权通过数据共享、现场检查或部门协查等方式对承诺内容进行核查。".into(),
        publication: Publication {
            published: x.mode == M::BusinessLicense,
            scope: (x.mode == M::BusinessLicense).then(|| "濮阳市人民政府门户网站、i濮阳".to_owned()),
            months: (x.mode == M::BusinessLicense).then_some(12),
        },
    });
    let verification_policy = committed.then(|| VerificationPolicy {
        deadline_days: if x.risk_level == RiskLevel::Low {
            30
        } else {
            20
        },
        methods: MethodsByCredit {
            good: if x.risk_level == RiskLevel::Low {
                VerificationMethod::Exempt
            } else {
                VerificationMethod::Online
            },
            warned: if x.risk_level == RiskLevel::High {
                VerificationMethod::Onsite
            } else {
                VerificationMethod::Online
            },
        },
        risk_level: x.risk_level,
    });
    ItemDraft {
        code: x.code.to_owned(),
        name: x.name.to_owned(),
        category: x.category,
        commitment_mode: x.mode,
        statutory_days: x.days.0,
        promised_days: x.days.1,
        effective_from: NaiveDate::from_ymd_opt(2021, 1, 8).unwrap_or_default(),
        effective_to: None,
        details: ItemDetails {
            legal_basis: x.basis.iter().map(|s| (*s).to_owned()).collect(),
            conditions,
            procedure: ["申请", "受理", "审查", "决定", "送达"]
                .map(str::to_owned)
                .to_vec(),
            materials,
            scope: "濮阳市行政区域内".into(),
            validity: Validity {
                months: x.validity_months,
                note: None,
            },
            intermediary_services: Vec::new(),
            fees: x
                .fee
                .map(|(name, yuan, basis)| Fee {
                    name: name.into(),
                    amount: Money::parse_yuan(yuan).unwrap_or(Money::from_fen(0)),
                    basis: basis.into(),
                })
                .into_iter()
                .collect(),
            risk_domains: x.risk.to_vec(),
            replaced_proof: x.proof.map(str::to_owned),
            notification,
            verification_policy,
            delegated_to: Vec::new(),
            accepted_at: Vec::new(),
        },
    }
}

fn check(kind: CheckBinding) -> ConditionCheck {
    ConditionCheck {
        kind,
        certificate_type: None,
        min_severity: None,
        days: None,
        item: None,
        department: None,
    }
}

/// Conditions of the seed's items that the hub can check on shared data, or
/// must ask another department about; the others are checked on site.
fn binding(item: &str, index: usize) -> Option<ConditionCheck> {
    let cert = |seq: &str| ConditionCheck {
        certificate_type: Some(format!("11100000000013338W{seq}")),
        ..check(CheckBinding::HoldsCertificate)
    };
    let ask = |dept: &str| ConditionCheck {
        department: Some(format!("410900-{dept}")),
        ..check(CheckBinding::Assistance)
    };
    match (item, index) {
        // 有营业执照 (工业产品生产许可).
        ("410900-SCJGJ-XK-001", 0) => Some(cert("001")),
        // 药学技术人员: qualifications are kept by the human resources bureau.
        ("410900-SCJGJ-XK-003", 1) => Some(ask("RSJ")),
        // 从业人员健康合格证明: kept by the health commission.
        ("410900-WJW-XK-001", 1) => Some(ask("WJW")),
        // 取得建设工程规划许可证.
        ("410900-ZJJ-XK-001", 1) => Some(ask("ZRZYJ")),
        _ => None,
    }
}

/// The conditions every commitment item shares, checked on shared data.
fn shared_conditions(x: &Demo, after: usize) -> Vec<Condition> {
    let mut out = Vec::new();
    let mut push = |text: &str, c: ConditionCheck| {
        out.push(Condition {
            code: format!("C{}", after + out.len() + 1),
            text: text.to_owned(),
            check: Some(c),
        });
    };
    if x.mode == M::BusinessLicense && x.code != "410900-SCJGJ-XK-001" {
        push(
            "持有有效的营业执照",
            ConditionCheck {
                certificate_type: Some("11100000000013338W001".into()),
                ..check(CheckBinding::HoldsCertificate)
            },
        );
    }
    if x.code == "410900-SCJGJ-XK-002" {
        push(
            "已取得工业产品生产许可证",
            ConditionCheck {
                certificate_type: Some("11100000000013338W004".into()),
                ..check(CheckBinding::HoldsCertificate)
            },
        );
    }
    push(
        "未被列入失信联合惩戒对象名单",
        check(CheckBinding::NotOnPunishmentList),
    );
    push(
        "无一般及以上失信记录",
        ConditionCheck {
            min_severity: Some(crate::credit::rules::Severity::General),
            ..check(CheckBinding::NoCreditRecord)
        },
    );
    push(
        "近一年内无虚假承诺",
        ConditionCheck {
            days: Some(365),
            ..check(CheckBinding::NoFalseCommitmentWithin)
        },
    );
    out
}

/// Inserts every demo item, each checked by the list's rules.
/// Items received at every township and street centre (事项下沉), and so
/// passed on by every station: the everyday matters of residents and small
/// shops the township plan sends down.
pub const RECEIVED_AT_CENTRES: &[&str] = &[
    "410900-SCJGJ-XK-004",
    "410900-SCJGJ-XK-005",
    "410900-WJW-XK-001",
    "410900-RSJ-GG-002",
    "410900-YBJ-BA-001",
    "410900-MZJ-JF-001",
    "410900-MZJ-JF-002",
    "410900-SFJ-JF-001",
    "410900-GAJ-QR-001",
];

/// Inserts every demo item; those of [`RECEIVED_AT_CENTRES`] are received
/// at `centres`.
pub async fn load(conn: &impl ConnectionTrait, centres: &[String]) -> Result<()> {
    let now = crate::util::now();
    for x in ITEMS {
        let mut draft = draft(x);
        if RECEIVED_AT_CENTRES.contains(&x.code) {
            draft.details.accepted_at = centres.to_vec();
        }
        validate(&draft)?;
        let dept = format!("410900-{}", x.dept);
        let item = PowerItem {
            code: draft.code,
            name: draft.name,
            category: draft.category,
            dept_code: dept.clone(),
            commitment_mode: draft.commitment_mode,
            status: ItemStatus::Active,
            statutory_days: draft.statutory_days,
            promised_days: draft.promised_days,
            effective_from: draft.effective_from,
            effective_to: None,
            details: draft.details,
            version: 1,
            updated_at: now,
        };
        store::insert(
            conn,
            &item,
            &ChangeBy {
                sub: super::LOADER,
                dept: &dept,
                reason: "濮政办〔2021〕1号 demo list",
            },
        )
        .await?;
    }
    Ok(())
}

/// Number of demo items.
pub const COUNT: usize = ITEMS.len();
