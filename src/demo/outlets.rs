//! The demo's service network: every county and district of Puyang with its
//! townships and streets (names as in public division lists; codes and
//! station numbers the hub's own), a centre in each with its windows and
//! helpers, and four village or community stations under each centre with
//! their agents — 79 centres and 316 stations.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;

use super::generator::{person, uuid};
use crate::directory::Level;
use crate::directory::store::{Department, upsert};
use crate::error::Result;
use crate::network::OutletKind;
use crate::network::WindowKind;
use crate::network::store::{self, Agent, Outlet, Window};

/// Townships (镇, 乡) and streets (街道) by county: (行政区划代码, short name for
/// station numbers, names).
const TOWNSHIPS: &[(&str, &str, &[&str])] = &[
    (
        "410902",
        "HL",
        &[
            "中原路街道",
            "胜利路街道",
            "人民路街道",
            "黄河路街道",
            "任丘路街道",
            "长庆路街道",
            "大庆路街道",
            "岳村镇",
            "孟轲乡",
        ],
    ),
    (
        "410922",
        "QF",
        &[
            "城关镇",
            "马庄桥镇",
            "瓦屋头镇",
            "仙庄镇",
            "柳格镇",
            "韩村镇",
            "六塔乡",
            "巩营乡",
            "马村乡",
            "高堡乡",
            "古城乡",
            "大流乡",
            "双庙乡",
            "阳邵乡",
            "纸房乡",
            "大屯乡",
            "固城乡",
        ],
    ),
    (
        "410923",
        "NL",
        &[
            "城关镇",
            "韩张镇",
            "元村镇",
            "福堪镇",
            "千口镇",
            "谷金楼镇",
            "张果屯镇",
            "杨村乡",
            "寺庄乡",
            "梁村乡",
            "近德固乡",
            "西邵乡",
        ],
    ),
    (
        "410926",
        "FX",
        &[
            "城关镇",
            "濮城镇",
            "龙王庄镇",
            "辛庄镇",
            "王楼镇",
            "高码头镇",
            "陈庄镇",
            "杨集乡",
            "白衣阁乡",
            "颜村铺乡",
            "张庄乡",
            "陆集乡",
        ],
    ),
    (
        "410927",
        "TQ",
        &[
            "城关镇",
            "侯庙镇",
            "孙口镇",
            "打渔陈镇",
            "夹河乡",
            "吴坝镇",
            "清水河乡",
            "马楼镇",
            "后方乡",
        ],
    ),
    (
        "410928",
        "PY",
        &[
            "城关镇",
            "柳屯镇",
            "文留镇",
            "庆祖镇",
            "八公桥镇",
            "徐镇镇",
            "户部寨镇",
            "鲁河镇",
            "子岸镇",
            "梨园乡",
            "王称堌镇",
            "胡状镇",
            "郎中乡",
            "海通乡",
            "渠村乡",
            "习城乡",
            "白堽乡",
            "梁庄乡",
            "清河头乡",
            "新习乡",
        ],
    ),
];

/// Village (村) and community (社区) names the stations draw from.
const VILLAGES: &[&str] = &[
    "东关", "西关", "南街", "北街", "前郭", "后郭", "王庄", "李庄", "张庄", "刘庄", "马庄", "赵庄",
    "孙庄", "杨庄", "高庄", "陈庄", "郭寨", "徐寨", "韩村", "吕村", "魏庄", "黄庄", "朱村", "宋庄",
];

/// Stations under each centre.
const STATIONS_PER_CENTRE: usize = 4;

/// The code of a centre.
pub fn centre_code(region: &str) -> String {
    format!("{region}-ZX")
}

fn county_name(county: &str) -> &'static str {
    super::departments::COUNTIES
        .iter()
        .find(|(c, _)| *c == county)
        .map_or("", |(_, n)| *n)
}

/// Inserts the network; returns the centres' codes.
pub async fn load(conn: &impl ConnectionTrait) -> Result<Vec<String>> {
    let mut rng = StdRng::seed_from_u64(20_210_108);
    let opened = NaiveDate::from_ymd_opt(2021, 3, 10).unwrap_or_default();
    let today = NaiveDate::from_ymd_opt(2021, 3, 10).unwrap_or_default();
    let mut centres = Vec::new();
    for (county, short, towns) in TOWNSHIPS {
        let county_name = county_name(county);
        for (i, town) in towns.iter().enumerate() {
            let seq = 101 + i;
            let region = format!("{county}{seq:03}");
            let code = centre_code(&region);
            let street = town.ends_with("街道");
            upsert(
                conn,
                &Department {
                    code: code.clone(),
                    name: format!("{county_name}{town}政务服务中心"),
                    level: Level::Township,
                    region_code: region.clone(),
                    parent_code: Some(format!("{county}-GOV")),
                    uscc: None,
                },
            )
            .await?;
            store::upsert_outlet(
                conn,
                &Outlet {
                    code: code.clone(),
                    station_no: format!("{short}-{seq}"),
                    kind: if street {
                        OutletKind::StreetCentre
                    } else {
                        OutletKind::TownshipCentre
                    },
                    county_code: (*county).to_owned(),
                    address: format!("{county_name}{town}人民政府院内"),
                    phone: Some(format!("0393-{}", rng.gen_range(5_000_000..9_000_000))),
                    opened_on: opened,
                },
            )
            .await?;
            store::set_windows(conn, &code, &windows(county, i)).await?;
            for _ in 0..2 {
                agent(conn, &mut rng, &code, today).await?;
            }
            let start = (i * 3) % VILLAGES.len();
            for v in 0..STATIONS_PER_CENTRE {
                let village = VILLAGES[(start + v) % VILLAGES.len()];
                let vseq = 201 + v;
                let vregion = format!("{region}{vseq:03}");
                let vcode = format!("{vregion}-DBZ");
                let (place, kind) = if street {
                    (format!("{village}社区"), OutletKind::CommunityStation)
                } else {
                    (format!("{village}村"), OutletKind::VillageStation)
                };
                upsert(
                    conn,
                    &Department {
                        code: vcode.clone(),
                        name: format!("{county_name}{town}{place}政务服务代办站"),
                        level: Level::Village,
                        region_code: vregion,
                        parent_code: Some(code.clone()),
                        uscc: None,
                    },
                )
                .await?;
                store::upsert_outlet(
                    conn,
                    &Outlet {
                        code: vcode.clone(),
                        station_no: format!("{short}-{seq}-{:02}", v + 1),
                        kind,
                        county_code: (*county).to_owned(),
                        address: format!("{county_name}{town}{place}党群服务中心"),
                        phone: None,
                        opened_on: opened,
                    },
                )
                .await?;
                for _ in 0..rng.gen_range(1..=2) {
                    agent(conn, &mut rng, &vcode, today).await?;
                }
            }
            centres.push(code);
        }
    }
    Ok(centres)
}

/// One or two comprehensive windows and the category windows of 民政, 人社,
/// 医保, 公安 and 市场监管 [乡镇方案 三(一)3].
fn windows(county: &str, i: usize) -> Vec<Window> {
    let mut out = Vec::new();
    let comprehensive = if i.is_multiple_of(2) { 2 } else { 1 };
    for n in 1..=comprehensive {
        out.push(Window {
            number: n,
            kind: WindowKind::Comprehensive,
            name: format!("综合窗口{n}"),
            serves: None,
        });
    }
    let category = [
        ("民政窗口", "410900-MZJ".to_owned()),
        ("人社窗口", "410900-RSJ".to_owned()),
        ("医保窗口", "410900-YBJ".to_owned()),
        ("公安窗口", "410900-GAJ".to_owned()),
        ("市场监管窗口", format!("{county}-SCJGJ")),
    ];
    for (name, dept) in category {
        out.push(Window {
            number: out.len() as i32 + 1,
            kind: WindowKind::Category,
            name: name.to_owned(),
            serves: Some(dept),
        });
    }
    out
}

async fn agent(
    conn: &impl ConnectionTrait,
    rng: &mut StdRng,
    outlet: &str,
    today: NaiveDate,
) -> Result<()> {
    let (id, name) = person(rng, today);
    let phone = format!("13{:09}", rng.gen_range(0..1_000_000_000u64));
    store::insert_agent(
        conn,
        &Agent {
            id: uuid(rng),
            outlet_code: outlet.to_owned(),
            name,
            id_number: id.as_str().to_owned(),
            phone: Some(phone),
            active: true,
            appointed_on: NaiveDate::from_ymd_opt(2021, 3, 1).unwrap_or_default(),
        },
    )
    .await
}
