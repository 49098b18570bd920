//! The service network (乡镇（街道）政务服务中心和村（居）政务服务代办站):
//! township and street centres and village and community stations with their
//! windows and agents, the items accepted there (事项下沉), matters (办件)
//! with their routes and one-time notices (一次性告知), proxy handling
//! (代办/帮办) and ratings (好差评) with the follow-up of bad ones (差评整改).

pub mod flow;
pub mod graphql;
pub mod rules;
pub mod store;

use crate::stored_enum;

stored_enum! {
    /// What kind of outlet.
    pub enum OutletKind {
        /// 乡镇政务服务中心.
        TownshipCentre = "TOWNSHIP_CENTRE",
        /// 街道政务服务中心.
        StreetCentre = "STREET_CENTRE",
        /// 村政务服务代办站.
        VillageStation = "VILLAGE_STATION",
        /// 社区政务服务代办站.
        CommunityStation = "COMMUNITY_STATION",
    }
}

stored_enum! {
    /// The two kinds of window of a centre [乡镇方案 三(一)3].
    pub enum WindowKind {
        /// 综合窗口: accepts any item the centre accepts.
        Comprehensive = "COMPREHENSIVE",
        /// 分类窗口: serves one department's items.
        Category = "CATEGORY",
    }
}

stored_enum! {
    /// What a matter is.
    pub enum MatterKind {
        /// A commitment (告知承诺), decided on the spot.
        Commitment = "COMMITMENT",
        /// An ordinary application (一般程序), decided within the item's promised time.
        Application = "APPLICATION",
    }
}

stored_enum! {
    /// Where a matter stands.
    pub enum MatterState {
        /// Materials are missing: the applicant was told, once, the complete list (一次性告知).
        Incomplete = "INCOMPLETE",
        /// Complete and on its way to a decision.
        InProgress = "IN_PROGRESS",
        /// Decided or withdrawn (办结).
        Concluded = "CONCLUDED",
    }
}

stored_enum! {
    /// How a matter ended.
    pub enum MatterOutcome {
        /// Granted (准予).
        Approved = "APPROVED",
        /// Refused (不予).
        Refused = "REFUSED",
        /// Withdrawn by the applicant before the decision.
        Withdrawn = "WITHDRAWN",
    }
}

stored_enum! {
    /// A leg of a matter's route.
    pub enum LegKind {
        /// Village or community station → township or street centre: the agent hands the matter over.
        Handover = "HANDOVER",
        /// Centre → deciding department (上报件).
        Referral = "REFERRAL",
        /// The deciding department decides.
        Decision = "DECISION",
    }
}

stored_enum! {
    /// The five grades of 好差评.
    pub enum RatingLevel {
        /// 非常满意.
        VerySatisfied = "VERY_SATISFIED",
        /// 满意.
        Satisfied = "SATISFIED",
        /// 基本满意.
        Basic = "BASIC",
        /// 不满意 (a bad rating).
        Dissatisfied = "DISSATISFIED",
        /// 非常不满意 (a bad rating).
        VeryDissatisfied = "VERY_DISSATISFIED",
    }
}

impl RatingLevel {
    /// Whether the grade is a bad rating (差评), which opens a follow-up.
    pub fn is_bad(self) -> bool {
        matches!(
            self,
            RatingLevel::Dissatisfied | RatingLevel::VeryDissatisfied
        )
    }
}
