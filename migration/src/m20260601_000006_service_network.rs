//! The service network (乡镇政务服务中心, 村代办站: outlets, windows, agents,
//! items accepted there, matters with their routes, ratings) and the reform
//! task ledger (任务分工) with its progress reports.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outlet::Table)
                .col(string(Outlet::DeptCode).primary_key())
                .col(string(Outlet::StationNo))
                .col(string(Outlet::Kind))
                .col(string(Outlet::CountyCode))
                .col(text(Outlet::Address))
                .col(string_null(Outlet::Phone))
                .col(date(Outlet::OpenedOn))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_outlet_dept_code")
                        .from(Outlet::Table, Outlet::DeptCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_outlet_station_no")
                .table(Outlet::Table)
                .col(Outlet::StationNo)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_outlet_county",
            Outlet::Table,
            &[Outlet::CountyCode, Outlet::Kind],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutletWindow::Table)
                .col(string(OutletWindow::Id).primary_key())
                .col(string(OutletWindow::OutletCode))
                .col(integer(OutletWindow::Number))
                .col(string(OutletWindow::Kind))
                .col(string(OutletWindow::Name))
                .col(string_null(OutletWindow::ServesDept))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_outlet_window_outlet_code")
                        .from(OutletWindow::Table, OutletWindow::OutletCode)
                        .to(Outlet::Table, Outlet::DeptCode),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_outlet_window_outlet",
            OutletWindow::Table,
            &[OutletWindow::OutletCode, OutletWindow::Number],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Agent::Table)
                .col(uuid(Agent::Id).primary_key())
                .col(string(Agent::OutletCode))
                .col(string(Agent::Name))
                .col(string(Agent::IdNumber))
                .col(string_null(Agent::Phone))
                .col(boolean(Agent::Active))
                .col(date(Agent::AppointedOn))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_agent_outlet_code")
                        .from(Agent::Table, Agent::OutletCode)
                        .to(Outlet::Table, Outlet::DeptCode),
                )
                .to_owned(),
        )
        .await?;
        index(m, "idx_agent_outlet", Agent::Table, &[Agent::OutletCode]).await?;
        m.create_table(
            Table::create()
                .table(PowerItemOutlet::Table)
                .col(string(PowerItemOutlet::ItemCode))
                .col(string(PowerItemOutlet::OutletCode))
                .primary_key(
                    Index::create()
                        .col(PowerItemOutlet::ItemCode)
                        .col(PowerItemOutlet::OutletCode),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_power_item_outlet_item_code")
                        .from(PowerItemOutlet::Table, PowerItemOutlet::ItemCode)
                        .to(PowerItem::Table, PowerItem::Code),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_power_item_outlet_outlet_code")
                        .from(PowerItemOutlet::Table, PowerItemOutlet::OutletCode)
                        .to(Outlet::Table, Outlet::DeptCode),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_power_item_outlet_outlet",
            PowerItemOutlet::Table,
            &[PowerItemOutlet::OutletCode],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Matter::Table)
                .col(uuid(Matter::Id).primary_key())
                .col(string(Matter::ItemCode))
                .col(string(Matter::Kind))
                .col(string(Matter::SubjectId))
                .col(string(Matter::ApplicantName))
                .col(string(Matter::OriginDept))
                .col(string(Matter::AcceptedDept))
                .col(string(Matter::DecidingDept))
                .col(boolean(Matter::Proxied))
                .col(uuid_null(Matter::AgentId))
                .col(json_binary_null(Matter::Authorisation))
                .col(string(Matter::State))
                .col(string_null(Matter::Outcome))
                .col(text_null(Matter::OutcomeReason))
                .col(uuid_null(Matter::CommitmentId))
                .col(json_binary_null(Matter::Draft))
                .col(json_binary(Matter::Materials))
                .col(json_binary_null(Matter::Notice))
                .col(timestamp_with_time_zone(Matter::ReceivedAt))
                .col(date(Matter::ReceivedOn))
                .col(timestamp_with_time_zone_null(Matter::CompleteAt))
                .col(timestamp_with_time_zone_null(Matter::ConcludedAt))
                .col(date_null(Matter::ConcludedOn))
                .col(string(Matter::CreatedBy))
                .col(integer(Matter::Version))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_matter_item_code")
                        .from(Matter::Table, Matter::ItemCode)
                        .to(PowerItem::Table, PowerItem::Code),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_matter_origin_dept")
                        .from(Matter::Table, Matter::OriginDept)
                        .to(Department::Table, Department::Code),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_matter_deciding_dept")
                        .from(Matter::Table, Matter::DecidingDept)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_matter_origin",
            Matter::Table,
            &[Matter::OriginDept, Matter::ReceivedOn],
        )
        .await?;
        index(
            m,
            "idx_matter_accepted",
            Matter::Table,
            &[Matter::AcceptedDept, Matter::ReceivedOn],
        )
        .await?;
        index(
            m,
            "idx_matter_deciding",
            Matter::Table,
            &[Matter::DecidingDept, Matter::ReceivedOn],
        )
        .await?;
        index(
            m,
            "idx_matter_commitment",
            Matter::Table,
            &[Matter::CommitmentId],
        )
        .await?;
        index(
            m,
            "idx_matter_received",
            Matter::Table,
            &[Matter::ReceivedOn],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MatterLeg::Table)
                .col(uuid(MatterLeg::MatterId))
                .col(integer(MatterLeg::Seq))
                .col(string(MatterLeg::Kind))
                .col(string(MatterLeg::FromDept))
                .col(string(MatterLeg::ToDept))
                .col(integer(MatterLeg::LimitDays))
                .col(timestamp_with_time_zone_null(MatterLeg::StartedAt))
                .col(date_null(MatterLeg::StartedOn))
                .col(date_null(MatterLeg::DueOn))
                .col(timestamp_with_time_zone_null(MatterLeg::CompletedAt))
                .col(date_null(MatterLeg::CompletedOn))
                .col(integer_null(MatterLeg::WorkingDays))
                .primary_key(Index::create().col(MatterLeg::MatterId).col(MatterLeg::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_matter_leg_matter_id")
                        .from(MatterLeg::Table, MatterLeg::MatterId)
                        .to(Matter::Table, Matter::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_matter_leg_to",
            MatterLeg::Table,
            &[MatterLeg::ToDept, MatterLeg::CompletedOn],
        )
        .await?;
        index(
            m,
            "idx_matter_leg_due",
            MatterLeg::Table,
            &[MatterLeg::DueOn],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Rating::Table)
                .col(uuid(Rating::Id).primary_key())
                .col(uuid(Rating::MatterId))
                .col(string(Rating::Level))
                .col(boolean(Rating::Bad))
                .col(text_null(Rating::Comment))
                .col(string(Rating::RaterId))
                .col(string(Rating::ChannelSub))
                .col(string(Rating::ChannelDept))
                .col(string(Rating::OutletDept))
                .col(string(Rating::DecidingDept))
                .col(timestamp_with_time_zone(Rating::RatedAt))
                .col(date(Rating::RatedOn))
                .col(date_null(Rating::FollowUpDue))
                .col(text_null(Rating::Answer))
                .col(timestamp_with_time_zone_null(Rating::AnsweredAt))
                .col(date_null(Rating::AnsweredOn))
                .col(string_null(Rating::AnsweredBy))
                .col(string_null(Rating::AnsweredDept))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_rating_matter_id")
                        .from(Rating::Table, Rating::MatterId)
                        .to(Matter::Table, Matter::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_rating_matter")
                .table(Rating::Table)
                .col(Rating::MatterId)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_rating_outlet",
            Rating::Table,
            &[Rating::OutletDept, Rating::RatedOn],
        )
        .await?;
        index(
            m,
            "idx_rating_deciding",
            Rating::Table,
            &[Rating::DecidingDept, Rating::RatedOn],
        )
        .await?;
        index(
            m,
            "idx_rating_follow_up",
            Rating::Table,
            &[Rating::Bad, Rating::FollowUpDue],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReformTask::Table)
                .col(string(ReformTask::Id).primary_key())
                .col(string(ReformTask::Plan))
                .col(string(ReformTask::Number))
                .col(string_null(ReformTask::ParentId))
                .col(string(ReformTask::Kind))
                .col(integer(ReformTask::Position))
                .col(text(ReformTask::Text))
                .col(date_null(ReformTask::Deadline))
                .col(string_null(ReformTask::DeadlineText))
                .col(boolean(ReformTask::Ongoing))
                .col(json_binary(ReformTask::Groups))
                .col(string(ReformTask::Status))
                .col(timestamp_with_time_zone_null(ReformTask::StatusAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_reform_task_plan",
            ReformTask::Table,
            &[ReformTask::Plan, ReformTask::Position],
        )
        .await?;
        index(
            m,
            "idx_reform_task_status",
            ReformTask::Table,
            &[ReformTask::Status, ReformTask::Deadline],
        )
        .await?;
        index(
            m,
            "idx_reform_task_parent",
            ReformTask::Table,
            &[ReformTask::ParentId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReformTaskDept::Table)
                .col(string(ReformTaskDept::TaskId))
                .col(string(ReformTaskDept::DeptCode))
                .col(string(ReformTaskDept::Role))
                .col(integer(ReformTaskDept::Seq))
                .primary_key(
                    Index::create()
                        .col(ReformTaskDept::TaskId)
                        .col(ReformTaskDept::DeptCode),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_reform_task_dept_task_id")
                        .from(ReformTaskDept::Table, ReformTaskDept::TaskId)
                        .to(ReformTask::Table, ReformTask::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_reform_task_dept_dept_code")
                        .from(ReformTaskDept::Table, ReformTaskDept::DeptCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_reform_task_dept_dept",
            ReformTaskDept::Table,
            &[ReformTaskDept::DeptCode, ReformTaskDept::Role],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaskReport::Table)
                .col(uuid(TaskReport::Id).primary_key())
                .col(string(TaskReport::TaskId))
                .col(string(TaskReport::DeptCode))
                .col(string(TaskReport::Sub))
                .col(string(TaskReport::Status))
                .col(text(TaskReport::Note))
                .col(json_binary(TaskReport::Evidence))
                .col(timestamp_with_time_zone(TaskReport::ReportedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_report_task_id")
                        .from(TaskReport::Table, TaskReport::TaskId)
                        .to(ReformTask::Table, ReformTask::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_report_dept_code")
                        .from(TaskReport::Table, TaskReport::DeptCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_task_report_task",
            TaskReport::Table,
            &[TaskReport::TaskId, TaskReport::ReportedAt],
        )
        .await?;
        index(
            m,
            "idx_task_report_dept",
            TaskReport::Table,
            &[TaskReport::DeptCode],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TaskReport::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ReformTaskDept::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ReformTask::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Rating::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(MatterLeg::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Matter::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PowerItemOutlet::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Agent::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(OutletWindow::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Outlet::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outlet {
    Table,
    DeptCode,
    StationNo,
    Kind,
    CountyCode,
    Address,
    Phone,
    OpenedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Department {
    Table,
    Code,
}

#[derive(DeriveIden, Clone, Copy)]
enum OutletWindow {
    Table,
    Id,
    OutletCode,
    Number,
    Kind,
    Name,
    ServesDept,
}

#[derive(DeriveIden, Clone, Copy)]
enum Agent {
    Table,
    Id,
    OutletCode,
    Name,
    IdNumber,
    Phone,
    Active,
    AppointedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerItemOutlet {
    Table,
    ItemCode,
    OutletCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerItem {
    Table,
    Code,
}

#[derive(DeriveIden, Clone, Copy)]
enum Matter {
    Table,
    Id,
    ItemCode,
    Kind,
    SubjectId,
    ApplicantName,
    OriginDept,
    AcceptedDept,
    DecidingDept,
    Proxied,
    AgentId,
    Authorisation,
    State,
    Outcome,
    OutcomeReason,
    CommitmentId,
    Draft,
    Materials,
    Notice,
    ReceivedAt,
    ReceivedOn,
    CompleteAt,
    ConcludedAt,
    ConcludedOn,
    CreatedBy,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum MatterLeg {
    Table,
    MatterId,
    Seq,
    Kind,
    FromDept,
    ToDept,
    LimitDays,
    StartedAt,
    StartedOn,
    DueOn,
    CompletedAt,
    CompletedOn,
    WorkingDays,
}

#[derive(DeriveIden, Clone, Copy)]
enum Rating {
    Table,
    Id,
    MatterId,
    Level,
    Bad,
    Comment,
    RaterId,
    ChannelSub,
    ChannelDept,
    OutletDept,
    DecidingDept,
    RatedAt,
    RatedOn,
    FollowUpDue,
    Answer,
    AnsweredAt,
    AnsweredOn,
    AnsweredBy,
    AnsweredDept,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReformTask {
    Table,
    Id,
    Plan,
    Number,
    ParentId,
    Kind,
    Position,
    Text,
    Deadline,
    DeadlineText,
    Ongoing,
    Groups,
    Status,
    StatusAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReformTaskDept {
    Table,
    TaskId,
    DeptCode,
    Role,
    Seq,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskReport {
    Table,
    Id,
    TaskId,
    DeptCode,
    Sub,
    Status,
    Note,
    Evidence,
    ReportedAt,
}
