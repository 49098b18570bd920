//! The service network's rules, pure: a matter's route and its time limits,
//! the one-time list of missing materials, and when follow-ups fall due.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{LegKind, MatterKind};
use crate::directory::Level;
use crate::power_list::rules::Material;

/// Working days an agent has to hand a matter to the township centre. The
/// seed asks agents to finish "在规定时限内" without a number; the hub sets
/// two working days, the same order as the seed's other handover limits.
pub const HANDOVER_DAYS: i32 = 2;

/// Working days a centre has to refer a matter to the deciding department:
/// "上报件时限为3个工作日" [乡镇方案 三(三)3(4)].
pub const REFERRAL_DAYS: i32 = 3;

/// Working days to answer a bad rating in writing (差评整改), as the
/// national 好差评 rules set it.
pub const FOLLOW_UP_DAYS: u32 = 15;

/// A leg of a route before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedLeg {
    /// What happens on it.
    pub kind: LegKind,
    /// Who hands over (the deciding department itself for a decision).
    pub from: String,
    /// Who must receive or decide.
    pub to: String,
    /// Its time limit in working days.
    pub limit_days: i32,
}

/// Where a matter came in, for planning its route.
#[derive(Clone, Debug)]
pub struct Origin<'a> {
    /// The department or outlet that served the applicant.
    pub code: &'a str,
    /// Its level.
    pub level: Level,
    /// The centre above a village or community station.
    pub township: Option<&'a str>,
}

/// The route of a matter: village station → township centre → deciding
/// department [乡镇方案 三(三)1 代办基本程序, 三(五)], each leg with its limit.
/// A matter received by a centre starts at the referral; one received by
/// the deciding department itself has only the decision. A commitment is
/// decided on the spot (当场作出决定: limit 0, the day it arrives); an
/// ordinary application within the item's promised time (承诺时限).
pub fn route(
    origin: &Origin<'_>,
    deciding: &str,
    kind: MatterKind,
    promised_days: i32,
) -> Vec<PlannedLeg> {
    let decide = PlannedLeg {
        kind: LegKind::Decision,
        from: deciding.to_owned(),
        to: deciding.to_owned(),
        limit_days: match kind {
            MatterKind::Commitment => 0,
            MatterKind::Application => promised_days.max(0),
        },
    };
    if origin.code == deciding {
        return vec![decide];
    }
    let mut legs = Vec::new();
    let centre = match (origin.level, origin.township) {
        (Level::Village, Some(township)) => {
            legs.push(PlannedLeg {
                kind: LegKind::Handover,
                from: origin.code.to_owned(),
                to: township.to_owned(),
                limit_days: HANDOVER_DAYS,
            });
            township
        }
        _ => origin.code,
    };
    legs.push(PlannedLeg {
        kind: LegKind::Referral,
        from: centre.to_owned(),
        to: deciding.to_owned(),
        limit_days: REFERRAL_DAYS,
    });
    legs.push(decide);
    legs
}

/// A material missing from a matter, as told to the applicant once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingMaterial {
    /// The material's name as the item lists it.
    pub name: String,
    /// How to obtain it or what form it takes (补齐途径), from the item.
    pub how: String,
}

/// Every required material neither handed in nor promised for later: the
/// complete list an outlet tells the applicant at once (一次性告知), so that
/// no second trip is needed [乡镇方案 三(三)1 代办基本程序(2)C]. The proof a
/// commitment replaces is never asked for.
pub fn missing_materials(
    materials: &[Material],
    handed_in: &[String],
    promised: &[String],
    replaced_proof: Option<&str>,
) -> Vec<MissingMaterial> {
    materials
        .iter()
        .filter(|m| m.required)
        .filter(|m| Some(m.name.as_str()) != replaced_proof)
        .filter(|m| !handed_in.contains(&m.name) && !promised.contains(&m.name))
        .map(|m| MissingMaterial {
            name: m.name.clone(),
            how: m
                .note
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "原件，按办事指南要求准备".to_owned()),
        })
        .collect()
}

/// What is still outstanding of a notice once `handed_in` is known: never
/// more than the notice listed.
pub fn outstanding(notice: &[MissingMaterial], handed_in: &[String]) -> Vec<String> {
    notice
        .iter()
        .filter(|m| !handed_in.contains(&m.name))
        .map(|m| m.name.clone())
        .collect()
}

/// Whether a leg is over its limit: finished after its due day, or still
/// open after it.
pub fn over_limit(
    due_on: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    match (due_on, completed_on) {
        (Some(due), Some(done)) => done > due,
        (Some(due), None) => today > due,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(name: &str, required: bool, note: Option<&str>) -> Material {
        Material {
            name: name.into(),
            required,
            may_follow: false,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn a_village_matter_travels_three_legs() {
        let village = Origin {
            code: "410922101-V01",
            level: Level::Village,
            township: Some("410922101"),
        };
        let legs = route(&village, "410900-SCJGJ", MatterKind::Commitment, 10);
        let kinds: Vec<_> = legs
            .iter()
            .map(|l| (l.kind, l.from.as_str(), l.to.as_str(), l.limit_days))
            .collect();
        assert_eq!(
            kinds,
            [
                (LegKind::Handover, "410922101-V01", "410922101", 2),
                (LegKind::Referral, "410922101", "410900-SCJGJ", 3),
                (LegKind::Decision, "410900-SCJGJ", "410900-SCJGJ", 0),
            ]
        );
    }

    #[test]
    fn a_centre_refers_and_a_department_decides_alone() {
        let centre = Origin {
            code: "410922101",
            level: Level::Township,
            township: None,
        };
        let legs = route(&centre, "410900-MZJ", MatterKind::Application, 10);
        assert_eq!(legs.len(), 2);
        assert_eq!((legs[1].kind, legs[1].limit_days), (LegKind::Decision, 10));
        let dept = Origin {
            code: "410900-MZJ",
            level: Level::City,
            township: None,
        };
        assert_eq!(
            route(&dept, "410900-MZJ", MatterKind::Application, 10).len(),
            1
        );
    }

    #[test]
    fn the_notice_lists_every_missing_material_at_once() {
        let materials = [
            material("申请书", true, None),
            material("营业执照", true, Some("复印件1份")),
            material("场所证明", true, None),
            material("照片", false, None),
            material("无犯罪记录证明", true, None),
        ];
        let missing = missing_materials(
            &materials,
            &["申请书".into()],
            &["场所证明".into()],
            Some("无犯罪记录证明"),
        );
        assert_eq!(missing.len(), 1);
        assert_eq!(
            (missing[0].name.as_str(), missing[0].how.as_str()),
            ("营业执照", "复印件1份")
        );
        assert_eq!(
            outstanding(&missing, &["营业执照".into()]),
            Vec::<String>::new()
        );
        assert_eq!(outstanding(&missing, &[]), ["营业执照"]);
    }

    #[test]
    fn legs_are_over_their_limit_late_or_still_open() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!over_limit(
            Some(d("2026-03-05")),
            Some(d("2026-03-05")),
            d("2026-04-01")
        ));
        assert!(over_limit(
            Some(d("2026-03-05")),
            Some(d("2026-03-06")),
            d("2026-03-06")
        ));
        assert!(over_limit(Some(d("2026-03-05")), None, d("2026-03-06")));
        assert!(!over_limit(Some(d("2026-03-05")), None, d("2026-03-05")));
        assert!(!over_limit(None, None, d("2026-03-05")));
    }
}
