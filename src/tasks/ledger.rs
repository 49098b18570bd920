//! The reform task ledger, read from the text of 濮政办〔2021〕1号 itself.
//!
//! The seed is kept in the repository (`data/seed/`, byte-identical to the
//! copy the design refers to; a test compares them) and compiled in; this
//! parser turns its four plans into tasks when reference data is loaded, so
//! no task is typed by hand. It is pure: text in, tasks out.
//!
//! What counts as a task in each plan:
//! - 重点任务分工方案: every numbered task (一)…(二十四) with the chapter it
//!   sits in, and every 具体措施 under it (一(一)3 is the third measure of the
//!   first task of chapter one). Departments come from the parenthesis that
//!   closes each, split at 牵头 into lead and responsible.
//! - The two 告知承诺制 plans: every numbered section that carries a
//!   （责任单位：…。完成时限：…） clause; sections without one (principles,
//!   goals, definitions) are not tasks.
//! - The township plan: the phases of 四、实施步骤 and their measures, due on
//!   the last day of each phase's date range; who acts is read from the
//!   words before 负责, and is the townships (乡镇（街道）) otherwise.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::stored_enum;

/// The seed, as the city published it.
pub const SEED: &str = include_str!("../../data/seed/puyang-2021-1-reform-plans.txt");

stored_enum! {
    /// The four plans of 濮政办〔2021〕1号.
    pub enum Plan {
        /// 深化"放管服"改革优化营商环境重点任务分工方案.
        BusinessEnvironment = "BUSINESS_ENVIRONMENT",
        /// 全面推行证明事项告知承诺制实施方案（试行）.
        ProofCommitment = "PROOF_COMMITMENT",
        /// 全面推行涉企经营许可事项告知承诺制实施方案（试行）.
        LicensingCommitment = "LICENSING_COMMITMENT",
        /// 乡镇（街道）政务服务中心和村（居）政务服务代办站建设实施方案.
        ServiceNetwork = "SERVICE_NETWORK",
    }
}

impl Plan {
    /// The plan's title as printed.
    pub fn title(self) -> &'static str {
        match self {
            Plan::BusinessEnvironment => "濮阳市深化“放管服”改革优化营商环境重点任务分工方案",
            Plan::ProofCommitment => "濮阳市全面推行证明事项告知承诺制实施方案（试行）",
            Plan::LicensingCommitment => "濮阳市全面推行涉企经营许可事项告知承诺制实施方案（试行）",
            Plan::ServiceNetwork => {
                "濮阳市乡镇（街道）政务服务中心和村（居）政务服务代办站建设实施方案"
            }
        }
    }

    /// The paragraph (spaces removed) that opens the plan in the seed.
    fn heading(self) -> &'static str {
        match self {
            Plan::BusinessEnvironment => "重点任务分工方案",
            Plan::ProofCommitment => "濮阳市全面推行证明事项告知承诺制实施方案（试行）",
            Plan::LicensingCommitment => "濮阳市全面推行涉企经营许可事项告知承诺制实施方案（试行）",
            Plan::ServiceNetwork => {
                "濮阳市乡镇（街道）政务服务中心和村（居）政务服务代办站建设实施方案"
            }
        }
    }
}

stored_enum! {
    /// A task (任务) or one of its measures (具体措施).
    pub enum TaskKind {
        /// A numbered task.
        Task = "TASK",
        /// A measure under a task.
        Measure = "MEASURE",
    }
}

stored_enum! {
    /// Bodies a task names as a group rather than one by one.
    pub enum Group {
        /// 市直各有关部门（单位）: the city's departments.
        CityDepartments = "CITY_DEPARTMENTS",
        /// 各县（区）: the counties and districts and their departments.
        Counties = "COUNTIES",
        /// 乡镇（街道）: the township and street service centres.
        Townships = "TOWNSHIPS",
    }
}

/// One task or measure as the seed gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// The plan it belongs to.
    pub plan: Plan,
    /// Its number as printed, e.g. 一(一)3.
    pub number: String,
    /// The task a measure belongs to.
    pub parent: Option<String>,
    /// Task or measure.
    pub kind: TaskKind,
    /// Its place in the ledger, the plans in the order of the seed (1, 2, …).
    pub position: u32,
    /// Its text, without the closing responsibility clause.
    pub text: String,
    /// Lead departments (牵头), by code.
    pub lead: Vec<String>,
    /// Departments responsible with them, by code.
    pub responsible: Vec<String>,
    /// Groups named as responsible.
    pub groups: Vec<Group>,
    /// Its deadline, where the text gives one.
    pub deadline: Option<NaiveDate>,
    /// The deadline as printed ("2021年3月底前", "长期" …).
    pub deadline_text: Option<String>,
    /// Whether the text says the work never ends (完成时限：长期).
    pub ongoing: bool,
}

/// Seed names of departments → department codes. The seed shortens names
/// and is not always consistent (市发展改革委 and 市发改委, 人行濮阳中心支行
/// and 人行濮阳市中心支行); every spelling it uses is here, and a name missing
/// from this table fails the parse (a test parses the seed), so none is
/// silently dropped.
pub const DEPARTMENT_NAMES: &[(&str, &str)] = &[
    ("市财政局", "410900-CZJ"),
    ("市发展改革委", "410900-FGW"),
    ("市发改委", "410900-FGW"),
    ("市工业和信息化局", "410900-GXJ"),
    ("市民政局", "410900-MZJ"),
    ("市人力资源社会保障局", "410900-RSJ"),
    ("市交通运输局", "410900-JTJ"),
    ("人行濮阳中心支行", "410900-RMYH"),
    ("人行濮阳市中心支行", "410900-RMYH"),
    ("市税务局", "410900-SWJ"),
    ("市市场监管局", "410900-SCJGJ"),
    ("市市场监督管理局", "410900-SCJGJ"),
    ("濮阳银保监分局", "410900-YBJFJ"),
    ("市住房城乡建设局", "410900-ZJJ"),
    ("濮阳海关", "410900-HG"),
    ("市金融工作局", "410900-JRJ"),
    ("市政务服务和大数据管理局", "410900-ZSJ"),
    ("市政服务和大数据管理局", "410900-ZSJ"),
    ("市医疗保障局", "410900-YBJ"),
    ("市科技局", "410900-KJJ"),
    ("市商务局", "410900-SHWJ"),
    ("市文化广电旅游体育局", "410900-WGLTJ"),
    ("市卫生健康委", "410900-WJW"),
    ("市司法局", "410900-SFJ"),
    ("市自然资源和规划局", "410900-ZRZYJ"),
    ("市公安局", "410900-GAJ"),
    ("市生态环境局", "410900-STHJJ"),
    ("市城市管理局", "410900-CGJ"),
    ("市应急管理局", "410900-YJGLJ"),
    ("市农业农村局", "410900-NYNCJ"),
    ("市教育局", "410900-JYJ"),
    ("市行政服务中心", "410900-XZFWZX"),
    ("市委编办", "410900-BB"),
    ("市编办", "410900-BB"),
    ("市委网信办", "410900-WXB"),
    ("市残联", "410900-CL"),
    ("市委组织部", "410900-ZZB"),
    ("市委营商环境办", "410900-YSHJB"),
    ("市扶贫办", "410900-FPB"),
    ("市委改革办", "410900-GGB"),
];

/// Why the seed could not be read as a ledger.
#[derive(Debug, PartialEq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("pattern {pattern} compiles: {e}"))
}

static CHAPTER: LazyLock<Regex> = LazyLock::new(|| re(r"^([一二三四五六七八九十]+)、"));
static SECTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.*)$"));
static MEASURE: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d+)\s*[.．]\s*(.*)$"));
static STRUCK: LazyLock<Regex> = LazyLock::new(|| re(r"~~[^~]*~~"));
static DUTY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?s)[（(]\s*责任单位[：:](.*?)[。.]\s*完成时限[：:](?:\s*完成时限[：:])?\s*(.*?)\s*[）)]")
});
static ISSUED: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"));
static PHASE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(.*?阶段)\s*[（(](\d{1,2})月(\d{1,2})日\s*[—–-]+\s*(\d{1,2})月(\d{1,2})日[）)]\s*(.*)$")
});
/// Dates in a measure's text: 2021年3月底前, 2021年底, 2021年2月份.
static TEXT_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(底前|底|份)|(底前|底))"));
/// A 完成时限: 2021年元月15日, 2021年3月, 长期.
static TERM: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{4})年(元|\d{1,2})月(?:(\d{1,2})日)?$"));

/// One paragraph of the seed: a line with its list marker and struck-out
/// text removed.
fn paragraphs(seed: &str) -> Vec<String> {
    seed.lines()
        .map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("- ").unwrap_or(l);
            STRUCK.replace_all(l, "").trim().to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Joins a paragraph to the text before it: page breaks split sentences
/// mid-word, so a text that stops without closing punctuation continues
/// directly; otherwise a new paragraph starts on a new line.
fn join(text: &mut String, more: &str) {
    let closed = text
        .chars()
        .last()
        .is_some_and(|c| "。；：！？）)".contains(c));
    if closed && !more.starts_with(['（', '(']) {
        text.push('\n');
    }
    text.push_str(more);
}

fn closed(text: &str) -> bool {
    text.ends_with(['）', ')'])
}

/// Parses the whole seed.
pub fn parse(seed: &str) -> Result<Vec<Task>, ParseError> {
    let paras = paragraphs(seed);
    let year = paras
        .iter()
        .find_map(|p| ISSUED.captures(p))
        .and_then(|c| c[1].parse::<i32>().ok())
        .ok_or_else(|| ParseError("the seed's date of issue (2021年1月8日) is missing".into()))?;
    let mut starts = Vec::new();
    for plan in Plan::ALL {
        let at = paras
            .iter()
            .position(|p| compact(p) == plan.heading())
            .ok_or_else(|| ParseError(format!("plan heading {} not found", plan.heading())))?;
        starts.push((at, *plan));
    }
    starts.sort();
    let mut tasks = Vec::new();
    for (i, (at, plan)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(paras.len(), |s| s.0);
        let body = &paras[at + 1..end];
        let mut parsed = match plan {
            Plan::BusinessEnvironment => division_plan(body)?,
            Plan::ProofCommitment | Plan::LicensingCommitment => commitment_plan(*plan, body)?,
            Plan::ServiceNetwork => network_plan(body, year)?,
        };
        tasks.append(&mut parsed);
    }
    for (i, t) in tasks.iter_mut().enumerate() {
        t.position = i as u32 + 1;
    }
    Ok(tasks)
}

struct Raw {
    number: String,
    parent: Option<String>,
    kind: TaskKind,
    text: String,
}

/// 重点任务分工方案: chapters, tasks, measures, each closed by its
/// departments.
fn division_plan(body: &[String]) -> Result<Vec<Task>, ParseError> {
    let mut raws: Vec<Raw> = Vec::new();
    let mut chapter = String::new();
    let mut task = String::new();
    for p in body {
        if let Some(c) = CHAPTER.captures(p) {
            chapter = c[1].to_owned();
        } else if let Some(c) = SECTION.captures(p) {
            task = format!("{chapter}({})", &c[1]);
            raws.push(Raw {
                number: task.clone(),
                parent: None,
                kind: TaskKind::Task,
                text: c[2].trim().to_owned(),
            });
        } else if compact(p).starts_with("具体措施") {
            continue;
        } else if let Some(c) = MEASURE.captures(p) {
            raws.push(Raw {
                number: format!("{task}{}", &c[1]),
                parent: Some(task.clone()),
                kind: TaskKind::Measure,
                text: c[2].trim().to_owned(),
            });
        } else if let Some(last) = raws.last_mut()
            && (!closed(&last.text) || p.starts_with(['（', '(']))
        {
            join(&mut last.text, p);
        }
        // Anything else is the plan's closing prose, not a task.
    }
    raws.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let (text, clause) = split_clause(&r.text).ok_or_else(|| {
                ParseError(format!("{} names no departments: {}", r.number, r.text))
            })?;
            let (lead, responsible, groups) = departments(&clause)?;
            let (deadline, deadline_text) = text_deadline(&text);
            Ok(Task {
                plan: Plan::BusinessEnvironment,
                number: r.number,
                parent: r.parent,
                kind: r.kind,
                position: i as u32 + 1,
                text,
                lead,
                responsible,
                groups,
                deadline,
                deadline_text,
                ongoing: false,
            })
        })
        .collect()
}

/// Splits the closing （…牵头…负责） clause off a text.
fn split_clause(text: &str) -> Option<(String, String)> {
    if !closed(text) {
        return None;
    }
    let open = text
        .char_indices()
        .filter(|(_, c)| *c == '（' || *c == '(')
        .map(|(i, _)| i)
        .rfind(|&i| {
            let inner = &text[i..];
            inner.contains("负责") || inner.contains("牵头")
        })?;
    let clause = text[open..]
        .trim_start_matches(['（', '('])
        .trim_end_matches(['）', ')']);
    Some((text[..open].trim().to_owned(), clause.to_owned()))
}

/// A list of bodies: lead departments before 牵头, the rest after.
type Departments = (Vec<String>, Vec<String>, Vec<Group>);

fn departments(clause: &str) -> Result<Departments, ParseError> {
    let (lead_part, rest) = match clause.split_once("牵头") {
        Some((l, r)) => (l, r),
        None => ("", clause),
    };
    let mut groups = Vec::new();
    let lead = names(lead_part, &mut groups)?;
    let rest = rest.replace("按职责分工负责", "").replace("负责", "");
    let responsible = names(&rest, &mut groups)?
        .into_iter()
        .filter(|c| !lead.contains(c))
        .collect();
    Ok((lead, responsible, groups))
}

fn group_of(name: &str) -> Option<Group> {
    if name.contains("市直") {
        Some(Group::CityDepartments)
    } else if ["县〔区〕", "县（区）", "县(区)", "县区"]
        .iter()
        .any(|c| name.contains(c))
    {
        Some(Group::Counties)
    } else if name.contains("乡镇") {
        Some(Group::Townships)
    } else {
        None
    }
}

fn names(part: &str, groups: &mut Vec<Group>) -> Result<Vec<String>, ParseError> {
    let mut codes: Vec<String> = Vec::new();
    for name in part.split(['、', '，', ',', '等', '及']) {
        let name = name.trim().trim_start_matches('各');
        if name.is_empty() {
            continue;
        }
        if let Some(g) = group_of(name) {
            if !groups.contains(&g) {
                groups.push(g);
            }
            continue;
        }
        let code = DEPARTMENT_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| (*c).to_owned())
            .ok_or_else(|| {
                ParseError(format!(
                    "no department is known by the seed's name {name:?}"
                ))
            })?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// The latest date a measure's text sets (2021年3月底前, 2021年底 …).
fn text_deadline(text: &str) -> (Option<NaiveDate>, Option<String>) {
    TEXT_DATE
        .captures_iter(text)
        .filter_map(|c| {
            let year: i32 = c[1].parse().ok()?;
            let month: u32 = match c.get(2) {
                Some(m) => m.as_str().parse().ok()?,
                None => 12,
            };
            Some((month_end(year, month)?, compact(&c[0])))
        })
        .max_by_key(|(d, _)| *d)
        .map_or((None, None), |(d, t)| (Some(d), Some(t)))
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next?.pred_opt()
}

/// A 完成时限 as printed: a date, a month (its last day), or 长期.
fn term(text: &str) -> Result<(Option<NaiveDate>, bool), ParseError> {
    let t = compact(text);
    if t.starts_with("长期") {
        return Ok((None, true));
    }
    let c = TERM
        .captures(&t)
        .ok_or_else(|| ParseError(format!("完成时限 {t:?} is neither a date nor 长期")))?;
    let year: i32 = c[1]
        .parse()
        .map_err(|_| ParseError(format!("bad year in {t}")))?;
    let month: u32 = if &c[2] == "元" {
        1
    } else {
        c[2].parse()
            .map_err(|_| ParseError(format!("bad month in {t}")))?
    };
    let date = match c.get(3) {
        Some(d) => {
            let day = d
                .as_str()
                .parse()
                .map_err(|_| ParseError(format!("bad day in {t}")))?;
            NaiveDate::from_ymd_opt(year, month, day)
        }
        None => month_end(year, month),
    };
    date.map(|d| (Some(d), false))
        .ok_or_else(|| ParseError(format!("完成时限 {t:?} is not a calendar date")))
}

/// The two 告知承诺制 plans: sections with a 责任单位 clause.
fn commitment_plan(plan: Plan, body: &[String]) -> Result<Vec<Task>, ParseError> {
    let mut raws: Vec<Raw> = Vec::new();
    let mut chapter = String::new();
    for p in body {
        if let Some(c) = CHAPTER.captures(p) {
            chapter = c[1].to_owned();
            // A chapter ends the section before it.
            raws.push(Raw {
                number: String::new(),
                parent: None,
                kind: TaskKind::Task,
                text: String::new(),
            });
        } else if let Some(c) = SECTION.captures(p) {
            // The section's title, then its body on the next line.
            raws.push(Raw {
                number: format!("{chapter}({})", &c[1]),
                parent: None,
                kind: TaskKind::Task,
                text: format!("{}\n", c[2].trim()),
            });
        } else if let Some(last) = raws.last_mut()
            && !last.number.is_empty()
        {
            join(&mut last.text, p);
        }
    }
    let mut tasks = Vec::new();
    for r in raws.into_iter().filter(|r| !r.number.is_empty()) {
        let Some(duty) = DUTY.captures(&r.text) else {
            continue;
        };
        let mut groups = Vec::new();
        let named = names(&compact(&duty[1]), &mut groups)?;
        let (deadline, ongoing) = term(&duty[2])?;
        let deadline_text = compact(&duty[2]);
        let text = DUTY.replace(&r.text, "").trim().to_owned();
        tasks.push(Task {
            plan,
            number: r.number,
            parent: None,
            kind: TaskKind::Task,
            position: tasks.len() as u32 + 1,
            text,
            lead: Vec::new(),
            responsible: named,
            groups,
            deadline,
            deadline_text: Some(deadline_text),
            ongoing,
        });
    }
    Ok(tasks)
}

/// The township plan: the phases of 实施步骤 and their measures.
fn network_plan(body: &[String], year: i32) -> Result<Vec<Task>, ParseError> {
    let mut tasks: Vec<Task> = Vec::new();
    let mut chapter = String::new();
    let mut in_steps = false;
    let mut phase: Option<(String, NaiveDate, String)> = None;
    for p in body {
        if let Some(c) = CHAPTER.captures(p) {
            chapter = c[1].to_owned();
            in_steps = p.contains("实施步骤");
            phase = None;
            continue;
        }
        if !in_steps {
            continue;
        }
        if let Some(c) = SECTION.captures(p)
            && let Some(ph) = PHASE.captures(&c[2])
        {
            let (month, day) = (ph[4].parse().unwrap_or(0), ph[5].parse().unwrap_or(0));
            let due = NaiveDate::from_ymd_opt(year, month, day)
                .ok_or_else(|| ParseError(format!("phase {} ends on no calendar day", &ph[1])))?;
            let printed = format!("{}月{}日", &ph[4], &ph[5]);
            let number = format!("{chapter}({})", &c[1]);
            let text = format!(
                "{}（{}月{}日—{printed}）{}",
                &ph[1],
                &ph[2],
                &ph[3],
                ph[6].trim()
            );
            phase = Some((number.clone(), due, printed.clone()));
            tasks.push(network_task(
                number,
                None,
                TaskKind::Task,
                text,
                due,
                printed,
            ));
        } else if let Some(c) = MEASURE.captures(p)
            && let Some((parent, due, printed)) = &phase
        {
            tasks.push(network_task(
                format!("{parent}{}", &c[1]),
                Some(parent.clone()),
                TaskKind::Measure,
                c[2].trim().to_owned(),
                *due,
                printed.clone(),
            ));
        } else if let Some(last) = tasks.last_mut() {
            join(&mut last.text, p);
        }
    }
    for (i, t) in tasks.iter_mut().enumerate() {
        t.position = i as u32 + 1;
        let (responsible, groups) = actors(&t.text)?;
        t.responsible = responsible;
        t.groups = groups;
    }
    Ok(tasks)
}

fn network_task(
    number: String,
    parent: Option<String>,
    kind: TaskKind,
    text: String,
    due: NaiveDate,
    printed: String,
) -> Task {
    Task {
        plan: Plan::ServiceNetwork,
        number,
        parent,
        kind,
        position: 0,
        text,
        lead: Vec::new(),
        responsible: Vec::new(),
        groups: Vec::new(),
        deadline: Some(due),
        deadline_text: Some(printed),
        ongoing: false,
    }
}

/// Who acts in a phase or measure of the township plan: the bodies named
/// before the first 负责 (市、县（区）X naming the city's X and the
/// counties'), or the townships when none is named.
fn actors(text: &str) -> Result<(Vec<String>, Vec<Group>), ParseError> {
    let Some((before, _)) = text.split_once("负责") else {
        return Ok((Vec::new(), vec![Group::Townships]));
    };
    let subject = before.rsplit(['\n', '：']).next().unwrap_or(before);
    let both = "市、县（区）";
    let city = subject.contains(both) || subject.starts_with('市');
    let mut groups = Vec::new();
    if subject.contains("县（区）") {
        groups.push(Group::Counties);
    }
    let mut codes = Vec::new();
    if city {
        let cleaned = subject.replace(both, "");
        for name in cleaned
            .split(['、', '，'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let full = if name.starts_with('市') {
                name.to_owned()
            } else {
                format!("市{name}")
            };
            for code in names(&full, &mut Vec::new())? {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
        }
    }
    if codes.is_empty() && groups.is_empty() {
        groups.push(Group::Townships);
    }
    Ok((codes, groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Vec<Task> {
        parse(SEED).expect("the seed parses")
    }

    fn find<'a>(tasks: &'a [Task], plan: Plan, number: &str) -> &'a Task {
        tasks
            .iter()
            .find(|t| t.plan == plan && t.number == number)
            .unwrap_or_else(|| panic!("{number} missing"))
    }

    #[test]
    fn the_kept_seed_is_the_published_one() {
        let design = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/seed/puyang-2021-1-reform-plans.txt"
        );
        match std::fs::read_to_string(design) {
            Ok(text) => assert_eq!(
                text, SEED,
                "data/seed differs from ../shared/seed: copy it again"
            ),
            Err(_) => eprintln!("{design} is not here: comparison skipped"),
        }
    }

    #[test]
    fn deadlines_read_as_printed() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(term("2021年元月15日").unwrap(), (d(2021, 1, 15), false));
        assert_eq!(term("2021年元月").unwrap(), (d(2021, 1, 31), false));
        assert_eq!(term("2021年3月").unwrap(), (d(2021, 3, 31), false));
        assert_eq!(term("长期").unwrap(), (None, true));
        assert!(term("尽快").is_err());
        assert_eq!(text_deadline("2021年3月底前对行业协会").0, d(2021, 3, 31));
        assert_eq!(text_deadline("2021 年底前基本实现").0, d(2021, 12, 31));
        assert_eq!(text_deadline("2021年2月份,组织开展").0, d(2021, 2, 28));
        assert_eq!(
            text_deadline("加快推进列入 2021 年度立法计划的项目").0,
            None
        );
    }

    #[test]
    fn clauses_split_into_lead_and_responsible() {
        let (lead, resp, groups) =
            departments("市财政局、市税务局牵头，市直各有关部门及各县〔区〕按职责分工负责")
                .unwrap();
        assert_eq!(lead, ["410900-CZJ", "410900-SWJ"]);
        assert!(resp.is_empty());
        assert_eq!(groups, [Group::CityDepartments, Group::Counties]);
        let (lead, resp, _) =
            departments("市市场监管局牵头，市发展改革委、市住房城乡建设局、市交通运输局、濮阳海关等市直各有关部门及各县〔区〕按职责分工负责").unwrap();
        assert_eq!(lead, ["410900-SCJGJ"]);
        assert_eq!(
            resp,
            ["410900-FGW", "410900-ZJJ", "410900-JTJ", "410900-HG"]
        );
        assert!(departments("市不存在局牵头").is_err());
    }

    #[test]
    fn the_seed_gives_every_plans_tasks() {
        let tasks = ledger();
        let count = |plan: Plan, kind: TaskKind| {
            tasks
                .iter()
                .filter(|t| t.plan == plan && t.kind == kind)
                .count()
        };
        // Counted by hand in the seed: 24 tasks with 5, 3, 4, 2, 2, 3, 4, 2,
        // 3, 2, 4, 5, 3, 3, 5, 7, 2, 4, 3, 2, 3, 0, 0 and 4 measures; sections
        // (四)–(十五) and (一)–(十) with a 责任单位 clause; three phases, the
        // first with three measures.
        assert_eq!(count(Plan::BusinessEnvironment, TaskKind::Task), 24);
        assert_eq!(count(Plan::BusinessEnvironment, TaskKind::Measure), 75);
        assert_eq!(count(Plan::ProofCommitment, TaskKind::Task), 12);
        assert_eq!(count(Plan::LicensingCommitment, TaskKind::Task), 10);
        assert_eq!(count(Plan::ServiceNetwork, TaskKind::Task), 3);
        assert_eq!(count(Plan::ServiceNetwork, TaskKind::Measure), 3);
    }

    #[test]
    fn sample_tasks_match_the_text() {
        let tasks = ledger();
        let t = find(&tasks, Plan::BusinessEnvironment, "一(一)3");
        assert!(t.text.starts_with("开展涉企收费专项治理"), "{}", t.text);
        assert_eq!(t.lead, ["410900-SCJGJ"]);
        assert_eq!(t.parent.as_deref(), Some("一(一)"));
        let t = find(&tasks, Plan::BusinessEnvironment, "一(一)5");
        assert_eq!(t.lead, ["410900-SCJGJ", "410900-MZJ"]);
        assert_eq!(t.deadline, NaiveDate::from_ymd_opt(2021, 3, 31));
        // Its departments sit in a paragraph of their own.
        let t = find(&tasks, Plan::BusinessEnvironment, "一(二)");
        assert_eq!(t.lead, ["410900-JRJ"]);
        assert!(
            t.responsible.contains(&"410900-ZSJ".to_owned()),
            "市政服务 is a misprint of 市政务服务"
        );
        // Split across a page break mid-word.
        let t = find(&tasks, Plan::BusinessEnvironment, "二(五)1");
        assert_eq!(t.lead, ["410900-ZSJ", "410900-BB", "410900-SFJ"]);
        assert!(t.text.ends_with("中介服务等要素。"), "{}", t.text);
        let t = find(&tasks, Plan::BusinessEnvironment, "五(二十三)");
        assert!(t.lead.is_empty());
        assert_eq!(t.responsible, ["410900-YSHJB", "410900-GXJ", "410900-ZSJ"]);
        let t = find(&tasks, Plan::BusinessEnvironment, "五(二十四)3");
        assert_eq!(
            t.deadline,
            NaiveDate::from_ymd_opt(2021, 12, 31),
            "struck-out 前 is gone"
        );
        assert!(!t.text.contains('~'));

        let t = find(&tasks, Plan::ProofCommitment, "二(四)");
        assert_eq!(t.deadline, NaiveDate::from_ymd_opt(2021, 1, 15));
        assert_eq!(t.groups, [Group::Counties, Group::CityDepartments]);
        let t = find(&tasks, Plan::LicensingCommitment, "二(四)");
        assert!(t.ongoing, "完成时限：完成时限：长期 is printed twice");
        assert_eq!(t.deadline, None);

        let t = find(&tasks, Plan::ServiceNetwork, "四(二)");
        assert_eq!(t.deadline, NaiveDate::from_ymd_opt(2021, 3, 31));
        assert_eq!(
            t.responsible,
            ["410900-GGB", "410900-BB", "410900-ZSJ", "410900-XZFWZX"]
        );
        assert_eq!(t.groups, [Group::Counties]);
        let t = find(&tasks, Plan::ServiceNetwork, "四(一)2");
        assert_eq!(
            (t.responsible.len(), t.groups.clone()),
            (0, vec![Group::Counties])
        );
        let t = find(&tasks, Plan::ServiceNetwork, "四(一)1");
        assert_eq!(t.groups, [Group::Townships]);
        assert_eq!(t.deadline, NaiveDate::from_ymd_opt(2021, 3, 10));
    }

    #[test]
    fn numbers_are_unique() {
        let tasks = ledger();
        let mut seen = std::collections::BTreeSet::new();
        for t in &tasks {
            assert!(
                seen.insert((t.plan, t.number.clone())),
                "{} twice",
                t.number
            );
            assert!(!t.text.is_empty(), "{} has no text", t.number);
            assert!(
                !t.lead.is_empty() || !t.responsible.is_empty() || !t.groups.is_empty(),
                "{} names nobody",
                t.number
            );
        }
    }
}
