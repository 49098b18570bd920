//! The departments of the demo: the Henan province market regulator (for
//! lists of another level), the Puyang city government with the city
//! departments the seed names, and Puyang's six counties and districts with
//! their service centres and market regulators.

use sea_orm::ConnectionTrait;

use super::government_uscc;
use crate::directory::Level;
use crate::directory::store::{Department, upsert};
use crate::error::Result;

/// City departments named in the seed: (code suffix, name).
pub const CITY: &[(&str, &str)] = &[
    ("CZJ", "濮阳市财政局"),
    ("FGW", "濮阳市发展和改革委员会"),
    ("GXJ", "濮阳市工业和信息化局"),
    ("MZJ", "濮阳市民政局"),
    ("RSJ", "濮阳市人力资源和社会保障局"),
    ("JTJ", "濮阳市交通运输局"),
    ("RMYH", "中国人民银行濮阳市中心支行"),
    ("SWJ", "国家税务总局濮阳市税务局"),
    ("SCJGJ", "濮阳市市场监督管理局"),
    ("YBJFJ", "中国银保监会濮阳监管分局"),
    ("ZJJ", "濮阳市住房和城乡建设局"),
    ("HG", "濮阳海关"),
    ("JRJ", "濮阳市金融工作局"),
    ("ZSJ", "濮阳市政务服务和大数据管理局"),
    ("YBJ", "濮阳市医疗保障局"),
    ("KJJ", "濮阳市科学技术局"),
    ("SHWJ", "濮阳市商务局"),
    ("WGLTJ", "濮阳市文化广电和旅游局"),
    ("WJW", "濮阳市卫生健康委员会"),
    ("SFJ", "濮阳市司法局"),
    ("ZRZYJ", "濮阳市自然资源和规划局"),
    ("GAJ", "濮阳市公安局"),
    ("STHJJ", "濮阳市生态环境局"),
    ("CGJ", "濮阳市城市管理局"),
    ("YJGLJ", "濮阳市应急管理局"),
    ("NYNCJ", "濮阳市农业农村局"),
    ("JYJ", "濮阳市教育局"),
    ("XZFWZX", "濮阳市行政服务中心"),
    ("BB", "中共濮阳市委机构编制委员会办公室"),
    ("WXB", "中共濮阳市委网络安全和信息化委员会办公室"),
    ("CL", "濮阳市残疾人联合会"),
    ("ZZB", "中共濮阳市委组织部"),
    ("YSHJB", "中共濮阳市委优化营商环境工作领导小组办公室"),
    ("FPB", "濮阳市扶贫开发办公室"),
    ("GGB", "中共濮阳市委全面深化改革委员会办公室"),
];

/// Puyang's counties and districts: (行政区划代码, name).
pub const COUNTIES: &[(&str, &str)] = &[
    ("410902", "华龙区"),
    ("410922", "清丰县"),
    ("410923", "南乐县"),
    ("410926", "范县"),
    ("410927", "台前县"),
    ("410928", "濮阳县"),
];

fn dept(
    code: String,
    name: &str,
    level: Level,
    region: &str,
    parent: Option<&str>,
    n: u32,
) -> Department {
    Department {
        code,
        name: name.to_owned(),
        level,
        region_code: region.to_owned(),
        parent_code: parent.map(str::to_owned),
        uscc: Some(government_uscc(region, n).as_str().to_owned()),
    }
}

/// Inserts every demo department.
pub async fn load(conn: &impl ConnectionTrait) -> Result<()> {
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    upsert(
        conn,
        &dept(
            "410000-SCJGJ".into(),
            "河南省市场监督管理局",
            Level::Province,
            "410000",
            None,
            next(),
        ),
    )
    .await?;
    upsert(
        conn,
        &dept(
            "410900-GOV".into(),
            "濮阳市人民政府",
            Level::City,
            "410900",
            None,
            next(),
        ),
    )
    .await?;
    for (suffix, name) in CITY {
        upsert(
            conn,
            &dept(
                format!("410900-{suffix}"),
                name,
                Level::City,
                "410900",
                Some("410900-GOV"),
                next(),
            ),
        )
        .await?;
    }
    for (region, name) in COUNTIES {
        let gov = format!("{region}-GOV");
        let gov_name = if name.ends_with('区') {
            format!("濮阳市{name}人民政府")
        } else {
            format!("{name}人民政府")
        };
        upsert(
            conn,
            &dept(
                gov.clone(),
                &gov_name,
                Level::County,
                region,
                Some("410900-GOV"),
                next(),
            ),
        )
        .await?;
        for (suffix, unit) in [("XZFWZX", "行政服务中心"), ("SCJGJ", "市场监督管理局")]
        {
            let unit_name = format!("{}{unit}", gov_name.trim_end_matches("人民政府"));
            upsert(
                conn,
                &dept(
                    format!("{region}-{suffix}"),
                    &unit_name,
                    Level::County,
                    region,
                    Some(&gov),
                    next(),
                ),
            )
            .await?;
        }
    }
    Ok(())
}
