//! A SQL front end for custom workloads: one streaming-style `SELECT` over
//! the table `events`, turned into the structured [`QueryDef`] every mode
//! runs — and back, so reports can show a structured query as SQL.
//!
//! The structured query can only express what batch SQL, micro-batch and
//! the per-event stream operators compute identically (a conjunctive
//! filter, one per-key event-time window with aggregates, an optional
//! alert), so this front end accepts exactly that shape and rejects
//! everything else with an error that names the clause, points at it
//! (1-based line and column, counted in characters) and says what is
//! supported. Windows use the Flink / Arroyo group-window syntax in
//! `GROUP BY`; DataFusion's `date_bin` is accepted as a tumbling window.
//!
//! ```sql
//! SELECT card_id, window_end, SUM(amount) AS total
//! FROM events
//! WHERE country <> 'US'
//! GROUP BY card_id, HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)
//! HAVING SUM(amount) > 100000
//! ```
//!
//! # The accepted subset
//!
//! `SELECT <items> FROM events [WHERE <conjunction>] GROUP BY <key>, <window> [HAVING <comparison>]`
//!
//! - **GROUP BY**: exactly one key column (a key or category column) and
//!   exactly one window, in either order:
//!   `TUMBLE(event_time, size)`, `HOP(event_time, slide, size)` (slide
//!   first, as in Flink), `SESSION(event_time, gap)` or
//!   `date_bin(size, event_time)` (tumbling, aligned to the epoch).
//!   Durations are `INTERVAL '5' MINUTE` or `INTERVAL '5 minutes'`
//!   (`'1 hour 30 minutes'` adds up) in MILLISECOND, SECOND, MINUTE, HOUR
//!   or DAY, singular or plural, any case; fractions are fine when they
//!   make whole milliseconds (`INTERVAL '1.5' SECOND`).
//! - **SELECT**: the key column, `window_start`, `window_end` (all three
//!   optional — they are always output, first, in that order) and 1 to
//!   [`MAX_AGGREGATES`] aggregates, in output order: `COUNT(*)`,
//!   `COUNT(col)` (same value as `COUNT(*)`: generated columns never hold
//!   NULL), `COUNT(DISTINCT col)`, `SUM(col)`, `MIN(col)`, `MAX(col)`,
//!   `AVG(col)` (number columns only for the last four), each with an
//!   optional `[AS] alias`. Without an alias the name is generated: `count`,
//!   `count_<col>`, `count_distinct_<col>`, `sum_<col>`, `min_<col>`,
//!   `max_<col>`, `avg_<col>`.
//! - **WHERE**: up to [`MAX_PREDICATES`] comparisons `column op literal` (or
//!   `literal op column`) joined by `AND`, with `=`, `<>`, `!=`, `<`, `<=`,
//!   `>`, `>=`; a number column is compared with a number (`-12.5`), a key
//!   or category column with a `'string'` and only by `=` / `<>`.
//!   Parentheses are fine anywhere.
//! - **HAVING**: one comparison `aggregate op number`, where the aggregate is
//!   written as in the SELECT list (`SUM(amount)`) or by its output name
//!   (`total`); it must be one of the SELECT list's aggregates.
//! - Identifiers are case-insensitive unless double-quoted; `events.col`
//!   (or `e.col` after `FROM events AS e`) is the same as `col`. One
//!   trailing `;` is fine.
//!
//! Rejected, each with its own message: other tables, joins, subqueries,
//! `WITH`, `UNION` / `INTERSECT` / `EXCEPT`, `DISTINCT`, `ORDER BY`,
//! `LIMIT` / `OFFSET` / `FETCH`, window functions (`OVER`), `OR` / `NOT` /
//! `LIKE` / `IN` / `BETWEEN` / `IS NULL` in `WHERE`, comparisons that are
//! not `column op literal`, unknown functions and columns, `GROUP BY`
//! without a window or with more than one key, non-grouped columns in the
//! SELECT list, more than one statement, empty text and text over
//! [`MAX_SQL_BYTES`].
//!
//! Bounds of numbers (literal magnitudes, window lengths, slide ratios) are
//! not checked here: [`CustomDef::validate`](super::CustomDef::validate)
//! checks them, with field paths, like any other definition. Names, counts
//! and column types are checked here so the error can point into the text.
//!
//! # Robustness
//!
//! Any input gives `Ok` or `Err`, never a panic or a stack overflow: the
//! text is capped at [`MAX_SQL_BYTES`] and [`MAX_TOKENS`] tokens, bracket
//! nesting at [`MAX_NESTING`], and sqlparser's own recursion limit is set
//! explicitly; everything this module walks is walked iteratively or to a
//! depth those caps bound.

use std::fmt;

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, DateTimeField, DuplicateTreatment, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, ObjectName, ObjectNamePart, Query,
    Select, SelectFlavor, SelectItem, SetExpr, SetOperator, Spanned, Statement, TableFactor,
    UnaryOperator, Value,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::keywords::{ALL_KEYWORDS, Keyword};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer};
use serde::{Deserialize, Serialize};

use super::def::{
    AggFunction, AggregateDef, AlertDef, ColumnDef, CompareOp, Literal, MAX_AGGREGATES,
    MAX_NAME_LEN, MAX_PREDICATES, Predicate, QueryDef, WindowDef,
};
use crate::duration::Duration;
use crate::time::{DAY, HOUR, MINUTE, SECOND};

/// Longest SQL text accepted, in bytes: far more than the subset ever needs,
/// small enough that parsing it is cheap for a server.
pub const MAX_SQL_BYTES: usize = 16 * 1024;
/// Most tokens (words, literals, operators; not whitespace or comments) a
/// query may have. The largest query the subset expresses needs about 200;
/// the cap also bounds the depth of every expression chain (`1+1+1…`) that
/// sqlparser builds without counting it against its recursion limit.
pub const MAX_TOKENS: usize = 1000;
/// Deepest bracket nesting accepted (a valid query needs 3 or 4 levels).
pub const MAX_NESTING: usize = 16;
/// sqlparser's recursion limit (its default, set explicitly so it cannot
/// change under us).
const RECURSION_LIMIT: usize = 50;
/// The name of the one table.
const TABLE: &str = "events";
/// The implicit event-time column (i64 ms), usable only in the window.
const EVENT_TIME: &str = "event_time";
const WINDOW_START: &str = "window_start";
const WINDOW_END: &str = "window_end";
/// What every "not supported" message ends with.
const SUPPORTED: &str = "supported: SELECT key, window_start, window_end, aggregates FROM events [WHERE column op literal AND …] GROUP BY key, TUMBLE|HOP|SESSION(event_time, …) [HAVING aggregate op number]";

/// A SQL error with its place in the text: 1-based line and column (the
/// column counts characters, not bytes), so editors and the web form can
/// put the cursor on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SqlError {}

impl SqlError {
    fn at(loc: Location, message: impl Into<String>) -> SqlError {
        // sqlparser marks unknown places with line 0.
        let (line, column) = if loc.line == 0 {
            (1, 1)
        } else {
            (loc.line, loc.column.max(1))
        };
        SqlError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// Parses `sql` — one `SELECT` over the table `events`, in the subset the
/// [module documentation](self) describes — into the structured query,
/// resolving column names against `columns` (the event's columns;
/// `event_time` is the implicit event-time column, i64 ms).
///
/// The result still goes through [`CustomDef::validate`](super::CustomDef::validate)
/// for numeric bounds; everything that can be pinned to a place in the text
/// (syntax, unsupported clauses, unknown names, column types, counts, output
/// names) is reported here as a [`SqlError`]. Never panics.
pub fn query_from_sql(sql: &str, columns: &[ColumnDef]) -> Result<QueryDef, SqlError> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(SqlError::at(
            location_of_byte(sql, MAX_SQL_BYTES),
            format!(
                "the SQL text is {} bytes; at most {MAX_SQL_BYTES} are accepted",
                sql.len()
            ),
        ));
    }
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| SqlError::at(e.location, format!("syntax error: {}", e.message)))?;
    let mut ctx = Ctx::new(&tokens, columns, sql);
    if ctx.toks.is_empty() {
        return Err(SqlError::at(
            Location::new(1, 1),
            "the SQL text is empty; write one SELECT … FROM events GROUP BY …",
        ));
    }
    ctx.check_size()?;
    let statements = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| ctx.parser_error(e))?;
    let statement = match statements.as_slice() {
        [] => {
            return Err(SqlError::at(
                ctx.start,
                "the SQL text has no statement; write one SELECT … FROM events GROUP BY …",
            ));
        }
        [s] => s,
        [_, second, ..] => {
            return Err(ctx.err(
                ctx.second_statement().unwrap_or(second.span().start),
                "only one statement is supported, found a second one",
            ));
        }
    };
    let Statement::Query(q) = statement else {
        return Err(ctx.err(
            ctx.start,
            format!("only a SELECT query is supported; {SUPPORTED}"),
        ));
    };
    ctx.query(q)
}

/// Shows a structured query as the canonical SQL text: the one
/// [`query_from_sql`] accepts and parses back to an equal [`QueryDef`]
/// (for every query whose names are valid and whose numbers are finite —
/// which [`CustomDef::validate`](super::CustomDef::validate) guarantees).
///
/// One line, keywords in upper case, every output column listed
/// (`key, window_start, window_end`, then the aggregates, each with `AS`),
/// `<>` for "not equal", intervals in the largest unit that divides them
/// exactly, names that are SQL keywords double-quoted (`"order"`). The
/// alert is written as its aggregate (`HAVING SUM(amount) > 100`) unless two
/// aggregates compute the same thing, then by its name.
pub fn sql_from_query(q: &QueryDef) -> String {
    let key = ident(&q.key);
    let mut s = format!("SELECT {key}, {WINDOW_START}, {WINDOW_END}");
    for a in &q.aggregates {
        s.push_str(&format!(", {} AS {}", aggregate_sql(a), alias(&a.name)));
    }
    s.push_str(" FROM ");
    s.push_str(TABLE);
    for (i, p) in q.filter.iter().enumerate() {
        s.push_str(if i == 0 { " WHERE " } else { " AND " });
        let value = match &p.value {
            Literal::Number(x) => number_sql(*x),
            Literal::Text(t) => format!("'{}'", t.replace('\'', "''")),
        };
        s.push_str(&format!("{} {} {value}", ident(&p.column), p.op.sql()));
    }
    let window = match q.window {
        WindowDef::Tumbling { size } => format!("TUMBLE({EVENT_TIME}, {})", interval_sql(size)),
        WindowDef::Sliding { size, slide } => format!(
            "HOP({EVENT_TIME}, {}, {})",
            interval_sql(slide),
            interval_sql(size)
        ),
        WindowDef::Session { gap } => format!("SESSION({EVENT_TIME}, {})", interval_sql(gap)),
    };
    s.push_str(&format!(" GROUP BY {key}, {window}"));
    if let Some(al) = &q.alert {
        let target = q.aggregates.iter().find(|a| a.name == al.aggregate);
        let reference = match target {
            Some(t)
                if q.aggregates
                    .iter()
                    .filter(|a| a.function == t.function && a.column == t.column)
                    .count()
                    == 1 =>
            {
                aggregate_sql(t)
            }
            _ => ident(&al.aggregate),
        };
        s.push_str(&format!(
            " HAVING {reference} {} {}",
            al.op.sql(),
            number_sql(al.value)
        ));
    }
    s
}

fn aggregate_sql(a: &AggregateDef) -> String {
    let col = a.column.as_deref().map(ident);
    match (a.function, col) {
        (AggFunction::Count, None) => "COUNT(*)".to_string(),
        (AggFunction::CountDistinct, Some(c)) => format!("COUNT(DISTINCT {c})"),
        (f, c) => {
            let name = match f {
                AggFunction::Count | AggFunction::CountDistinct => "COUNT",
                AggFunction::Sum => "SUM",
                AggFunction::Min => "MIN",
                AggFunction::Max => "MAX",
                AggFunction::Avg => "AVG",
            };
            // A missing column (an invalid definition) still shows as SQL.
            format!("{name}({})", c.unwrap_or_else(|| "*".to_string()))
        }
    }
}

/// Rust writes the shortest decimal that reads back as the same `f64`,
/// without an exponent, so the literal round-trips exactly.
fn number_sql(x: f64) -> String {
    format!("{x}")
}

fn interval_sql(d: Duration) -> String {
    let ms = d.0;
    for (unit, scale) in [
        ("DAY", DAY),
        ("HOUR", HOUR),
        ("MINUTE", MINUTE),
        ("SECOND", SECOND),
    ] {
        if ms != 0 && ms % scale == 0 {
            return format!("INTERVAL '{}' {unit}", ms / scale);
        }
    }
    format!("INTERVAL '{ms}' MILLISECOND")
}

fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column name in an expression: bare unless it is not a plain lowercase
/// name or it is a SQL keyword (`"order"`), which the parser could read as
/// syntax.
fn ident(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if is_plain_name(name) && !ALL_KEYWORDS.contains(&upper.as_str()) {
        name.to_string()
    } else {
        quoted(name)
    }
}

/// An output name after `AS`, where keywords are names (`AS count`).
fn alias(name: &str) -> String {
    if is_plain_name(name) {
        name.to_string()
    } else {
        quoted(name)
    }
}

/// Mirrors `def.rs`'s rule for column and aggregate names (kept private
/// there), so a bad alias is reported at its place in the text.
fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= MAX_NAME_LEN
}

/// The line and column of byte `at` of `s` (rounded down to a character).
fn location_of_byte(s: &str, at: usize) -> Location {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    let before = &s[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u64 + 1;
    Location::new(line, column)
}

/// A comparison operator of the AST, if it is one the query supports.
fn compare_op(op: &BinaryOperator) -> Option<CompareOp> {
    Some(match op {
        BinaryOperator::Eq => CompareOp::Eq,
        BinaryOperator::NotEq => CompareOp::Ne,
        BinaryOperator::Lt => CompareOp::Lt,
        BinaryOperator::LtEq => CompareOp::Le,
        BinaryOperator::Gt => CompareOp::Gt,
        BinaryOperator::GtEq => CompareOp::Ge,
        _ => return None,
    })
}

/// `a op b` as `b op' a`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        o => o,
    }
}

/// Strips parentheses (iteratively: depth is bounded anyway).
fn unwrap_nested(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// The name an unquoted identifier means (SQL folds it; DataFusion to lower
/// case), or a quoted one exactly.
fn ident_name(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

/// A function's name, lower case, if it is a plain one-part name.
fn function_name(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.to_lowercase()),
        _ => None,
    }
}

/// Short text for what was found where something else was expected.
fn describe(e: &Expr) -> String {
    match e {
        Expr::Function(f) => format!("the function `{}`", f.name),
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
            "a subquery (subqueries are not supported)".to_string()
        }
        _ => {
            let text = e.to_string();
            let mut short: String = text.chars().take(40).collect();
            if short.len() < text.len() {
                short.push('…');
            }
            format!("`{short}`")
        }
    }
}

/// A literal as the query's [`Literal`], or why it is not one.
enum Lit {
    Number(f64),
    Text(String),
    Other(&'static str),
}

fn literal(e: &Expr) -> Option<Lit> {
    let (negate, v) = match unwrap_nested(e) {
        Expr::Value(v) => (false, v),
        Expr::UnaryOp {
            op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
            expr,
        } => match unwrap_nested(expr) {
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
                (*op == UnaryOperator::Minus, v)
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(match &v.value {
        Value::Number(s, false) => match s.parse::<f64>() {
            Ok(x) => Lit::Number(if negate { -x } else { x }),
            Err(_) => Lit::Other("a number in an unsupported format"),
        },
        Value::SingleQuotedString(s) => Lit::Text(s.clone()),
        Value::Null => Lit::Other("NULL (columns never hold NULL)"),
        Value::Boolean(_) => Lit::Other("a boolean"),
        _ => Lit::Other("a literal of an unsupported kind (use a number or a 'string')"),
    })
}

/// One non-whitespace token: what it is, where, and at what bracket depth.
struct Tok {
    token: Token,
    loc: Location,
    depth: usize,
}

/// What the conversion needs besides the AST: the tokens (to find keyword
/// positions the AST does not keep), the columns, and the table's names.
struct Ctx<'a> {
    toks: Vec<Tok>,
    columns: &'a [ColumnDef],
    /// Where the first token is (the fallback position).
    start: Location,
    /// Just after the last character.
    end: Location,
    /// Names that qualify a column: `events` and the table's alias.
    qualifiers: Vec<String>,
    /// Where nesting first got deepest, and how deep.
    deepest: (usize, Location),
}

impl<'a> Ctx<'a> {
    fn new(tokens: &[TokenWithSpan], columns: &'a [ColumnDef], sql: &str) -> Ctx<'a> {
        let mut toks = Vec::new();
        let mut depth = 0usize;
        let mut deepest = (0, Location::new(1, 1));
        for t in tokens {
            if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
                continue;
            }
            if matches!(t.token, Token::RParen | Token::RBracket | Token::RBrace) {
                depth = depth.saturating_sub(1);
            }
            toks.push(Tok {
                token: t.token.clone(),
                loc: t.span.start,
                depth,
            });
            if matches!(t.token, Token::LParen | Token::LBracket | Token::LBrace) {
                depth += 1;
                if depth > deepest.0 {
                    deepest = (depth, t.span.start);
                }
            }
        }
        Ctx {
            start: toks.first().map_or(Location::new(1, 1), |t| t.loc),
            toks,
            columns,
            end: location_of_byte(sql, sql.len()),
            qualifiers: vec![TABLE.to_string()],
            deepest,
        }
    }

    fn err(&self, at: Location, message: impl Into<String>) -> SqlError {
        SqlError::at(if at.line == 0 { self.start } else { at }, message)
    }

    /// The start of `span`, or `fallback` where sqlparser kept no span.
    fn at(&self, span: Span, fallback: Location) -> Location {
        if span.start.line == 0 {
            fallback
        } else {
            span.start
        }
    }

    /// Caps that keep parsing and every walk over the AST shallow.
    fn check_size(&self) -> Result<(), SqlError> {
        let mut depth = 0;
        for t in &self.toks {
            if matches!(t.token, Token::LParen | Token::LBracket | Token::LBrace) {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(self.err(
                        t.loc,
                        format!("brackets are nested more than {MAX_NESTING} deep"),
                    ));
                }
            } else if matches!(t.token, Token::RParen | Token::RBracket | Token::RBrace) {
                depth = depth.saturating_sub(1);
            }
        }
        if let Some(t) = self.toks.get(MAX_TOKENS) {
            return Err(self.err(
                t.loc,
                format!(
                    "the query has more than {MAX_TOKENS} tokens; the supported subset needs far fewer"
                ),
            ));
        }
        Ok(())
    }

    fn parser_error(&self, e: ParserError) -> SqlError {
        match e {
            ParserError::RecursionLimitExceeded => self.err(
                if self.deepest.0 > 0 {
                    self.deepest.1
                } else {
                    self.start
                },
                "expressions are nested too deeply",
            ),
            ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
                let (msg, loc) = split_location(&m).unwrap_or((m.as_str(), self.end));
                self.err(loc, format!("syntax error: {msg}"))
            }
        }
    }

    /// Where the second statement starts: the first token after a
    /// top-level `;` that is not another `;`.
    fn second_statement(&self) -> Option<Location> {
        let semi = self
            .toks
            .iter()
            .position(|t| t.depth == 0 && t.token == Token::SemiColon)?;
        self.toks[semi..]
            .iter()
            .find(|t| t.token != Token::SemiColon)
            .map(|t| t.loc)
    }

    fn keyword_of(t: &Tok) -> Keyword {
        match &t.token {
            Token::Word(w) => w.keyword,
            _ => Keyword::NoKeyword,
        }
    }

    /// The first keyword of `kws` outside all brackets.
    fn top_kw(&self, kws: &[Keyword]) -> Option<Location> {
        self.toks
            .iter()
            .find(|t| t.depth == 0 && kws.contains(&Self::keyword_of(t)))
            .map(|t| t.loc)
    }

    /// The first keyword `kw` at or after `from`.
    fn kw_after(&self, kw: Keyword, from: Location) -> Option<Location> {
        self.toks
            .iter()
            .find(|t| t.loc >= from && Self::keyword_of(t) == kw)
            .map(|t| t.loc)
    }

    /// The last keyword `kw` before `before`.
    fn kw_before(&self, kw: Keyword, before: Location) -> Option<Location> {
        self.toks
            .iter()
            .rev()
            .find(|t| t.loc < before && Self::keyword_of(t) == kw)
            .map(|t| t.loc)
    }

    /// A "not supported" error at the first top-level `kws` keyword.
    fn unsupported(&self, kws: &[Keyword], what: &str) -> SqlError {
        self.err(
            self.top_kw(kws).unwrap_or(self.start),
            format!("{what} is not supported; {SUPPORTED}"),
        )
    }

    fn query(&mut self, q: &Query) -> Result<QueryDef, SqlError> {
        if let Some(w) = &q.with {
            return Err(self.err(
                w.with_token.0.span.start,
                format!("WITH (common table expressions) is not supported; query the table `events` directly; {SUPPORTED}"),
            ));
        }
        let select = match q.body.as_ref() {
            SetExpr::Select(s) => s,
            SetExpr::SetOperation { op, .. } => {
                let kw = match op {
                    SetOperator::Union => Keyword::UNION,
                    SetOperator::Except => Keyword::EXCEPT,
                    SetOperator::Intersect => Keyword::INTERSECT,
                    SetOperator::Minus => Keyword::MINUS,
                };
                return Err(self.unsupported(&[kw], &format!("{op} (more than one SELECT)")));
            }
            SetExpr::Query(_) => {
                return Err(self.err(
                    self.start,
                    format!("a parenthesized query (subquery) is not supported; {SUPPORTED}"),
                ));
            }
            SetExpr::Values(_) => return Err(self.unsupported(&[Keyword::VALUES], "VALUES")),
            _ => {
                return Err(self.err(
                    self.start,
                    format!("only a SELECT query is supported; {SUPPORTED}"),
                ));
            }
        };
        if q.order_by.is_some() {
            return Err(self.unsupported(
                &[Keyword::ORDER],
                "ORDER BY (rows come per key and window, unordered)",
            ));
        }
        if q.limit_clause.is_some() {
            return Err(self.unsupported(&[Keyword::LIMIT, Keyword::OFFSET], "LIMIT / OFFSET"));
        }
        if q.fetch.is_some() {
            return Err(self.unsupported(&[Keyword::FETCH], "FETCH"));
        }
        if !q.locks.is_empty() || q.for_clause.is_some() {
            return Err(self.unsupported(&[Keyword::FOR], "FOR …"));
        }
        if q.settings.is_some() {
            return Err(self.unsupported(&[Keyword::SETTINGS], "SETTINGS"));
        }
        if q.format_clause.is_some() {
            return Err(self.unsupported(&[Keyword::FORMAT], "FORMAT"));
        }
        if !q.pipe_operators.is_empty() {
            return Err(self.err(
                self.toks
                    .iter()
                    .find(|t| t.depth == 0 && t.token == Token::VerticalBarRightAngleBracket)
                    .map_or(self.start, |t| t.loc),
                format!("pipe operators (|>) are not supported; {SUPPORTED}"),
            ));
        }
        self.select(select)
    }

    fn select(&mut self, s: &Select) -> Result<QueryDef, SqlError> {
        let sel = s.select_token.0.span.start;
        if s.distinct.is_some() {
            return Err(self.err(
                self.kw_after(Keyword::DISTINCT, sel)
                    .or(self.kw_after(Keyword::ALL, sel))
                    .unwrap_or(sel),
                format!("SELECT DISTINCT is not supported (each key and window is one row already); {SUPPORTED}"),
            ));
        }
        let extra: &[(bool, &[Keyword], &str)] = &[
            (s.top.is_some(), &[Keyword::TOP], "SELECT TOP"),
            (s.select_modifiers.is_some(), &[], "a SELECT modifier"),
            (s.exclude.is_some(), &[Keyword::EXCLUDE], "EXCLUDE"),
            (s.into.is_some(), &[Keyword::INTO], "SELECT INTO"),
            (
                !s.lateral_views.is_empty(),
                &[Keyword::LATERAL],
                "LATERAL VIEW",
            ),
            (s.prewhere.is_some(), &[Keyword::PREWHERE], "PREWHERE"),
            (
                !s.connect_by.is_empty(),
                &[Keyword::CONNECT, Keyword::START],
                "CONNECT BY",
            ),
            (!s.cluster_by.is_empty(), &[Keyword::CLUSTER], "CLUSTER BY"),
            (
                !s.distribute_by.is_empty(),
                &[Keyword::DISTRIBUTE],
                "DISTRIBUTE BY",
            ),
            (!s.sort_by.is_empty(), &[Keyword::SORT], "SORT BY"),
            (
                !s.named_window.is_empty(),
                &[Keyword::WINDOW],
                "a WINDOW clause (windows go in GROUP BY)",
            ),
            (s.qualify.is_some(), &[Keyword::QUALIFY], "QUALIFY"),
            (
                s.value_table_mode.is_some(),
                &[Keyword::AS],
                "SELECT AS VALUE / STRUCT",
            ),
            (
                s.flavor != SelectFlavor::Standard,
                &[Keyword::FROM],
                "FROM before SELECT",
            ),
        ];
        if let Some((_, kws, what)) = extra.iter().find(|(present, ..)| *present) {
            let at = self.top_kw(kws).unwrap_or(sel);
            return Err(self.err(at, format!("{what} is not supported; {SUPPORTED}")));
        }
        self.from(s, sel)?;
        let filter = match &s.selection {
            Some(w) => self.filter(w)?,
            None => Vec::new(),
        };
        let (key, window) = self.group_by(s)?;
        let aggregates = self.projection(s, sel, &key)?;
        let alert = match &s.having {
            Some(h) => Some(self.having(h, &key, &aggregates)?),
            None => None,
        };
        Ok(QueryDef {
            key,
            filter,
            window,
            aggregates,
            alert,
        })
    }

    /// `FROM events [[AS] alias]`, nothing else.
    fn from(&mut self, s: &Select, sel: Location) -> Result<(), SqlError> {
        let from_at = self.top_kw(&[Keyword::FROM]).unwrap_or(sel);
        let Some(first) = s.from.first() else {
            return Err(self.err(
                self.end,
                format!("FROM is missing: the query reads the table `events`; {SUPPORTED}"),
            ));
        };
        if let Some(second) = s.from.get(1) {
            return Err(self.err(
                self.at(second.relation.span(), from_at),
                format!("FROM: more than one table is not supported (the one table is `events`); {SUPPORTED}"),
            ));
        }
        if let Some(join) = first.joins.first() {
            let rel = self.at(join.relation.span(), from_at);
            let at = self
                .kw_before(Keyword::JOIN, rel)
                .or(self.kw_before(Keyword::APPLY, rel))
                .filter(|l| *l > from_at)
                .unwrap_or(rel);
            return Err(self.err(
                at,
                format!("FROM: JOIN is not supported (the one table is `events`); {SUPPORTED}"),
            ));
        }
        match &first.relation {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_hints,
            } => {
                let at = self.at(name.span(), from_at);
                let table = match name.0.as_slice() {
                    [ObjectNamePart::Identifier(id)] => Some(ident_name(id)),
                    _ => None,
                };
                if table.as_deref() != Some(TABLE) {
                    return Err(self.err(
                        at,
                        format!("FROM: unknown table `{name}`; the one table is `events`"),
                    ));
                }
                if args.is_some()
                    || !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_hints.is_empty()
                {
                    return Err(self.err(
                        at,
                        "FROM: table options (arguments, hints, samples, versions) are not supported; write just `FROM events`",
                    ));
                }
                if let Some(a) = alias {
                    if !a.columns.is_empty() {
                        return Err(self.err(
                            a.name.span.start,
                            "FROM: column aliases on the table are not supported",
                        ));
                    }
                    self.qualifiers.push(ident_name(&a.name));
                }
                Ok(())
            }
            TableFactor::Derived { .. } => Err(self.err(
                self.at(first.relation.span(), from_at),
                format!("FROM: subqueries are not supported; read the table `events` directly; {SUPPORTED}"),
            )),
            other => Err(self.err(
                self.at(other.span(), from_at),
                format!("FROM: only the table `events` is supported, found `{}`", short(&other.to_string())),
            )),
        }
    }

    /// A column reference: its name and place, or `None` if `e` is not a
    /// (possibly qualified) name.
    fn column_ref(&self, e: &Expr, clause: &str) -> Result<Option<(String, Location)>, SqlError> {
        match unwrap_nested(e) {
            Expr::Identifier(id) => Ok(Some((ident_name(id), id.span.start))),
            // A column named like a niladic SQL function (`user`,
            // `current_date`) parses as a call without parentheses.
            Expr::Function(f)
                if matches!(f.args, FunctionArguments::None)
                    && f.over.is_none()
                    && f.filter.is_none() =>
            {
                match f.name.0.as_slice() {
                    [ObjectNamePart::Identifier(id)] => Ok(Some((ident_name(id), id.span.start))),
                    _ => Ok(None),
                }
            }
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if self.qualifiers.contains(&ident_name(q)) => {
                    Ok(Some((ident_name(c), c.span.start)))
                }
                [q, _] => Err(self.err(
                    q.span.start,
                    format!(
                        "{clause}: unknown table `{}` (the one table is `events`)",
                        q.value
                    ),
                )),
                _ => Err(self.err(
                    parts.first().map_or(self.start, |p| p.span.start),
                    format!("{clause}: `{e}` is not a column name"),
                )),
            },
            _ => Ok(None),
        }
    }

    fn known_columns(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(ColumnDef::name).collect();
        format!(
            "the columns are {} (and {EVENT_TIME}, for the window)",
            names.join(", ")
        )
    }

    /// The column named `name`; `event_time` and the window bounds are
    /// reported as not usable in `clause` (they are handled by the callers
    /// where they are allowed).
    fn column(&self, name: &str, at: Location, clause: &str) -> Result<&'a ColumnDef, SqlError> {
        if let Some(c) = self.columns.iter().find(|c| c.name() == name) {
            return Ok(c);
        }
        let msg = match name {
            EVENT_TIME => format!(
                "{clause}: `{EVENT_TIME}` can only be the window's time column (GROUP BY TUMBLE(event_time, …))"
            ),
            WINDOW_START | WINDOW_END => {
                format!("{clause}: `{name}` is an output of the window; it can only be selected")
            }
            _ => format!(
                "{clause}: unknown column `{name}`; {}",
                self.known_columns()
            ),
        };
        Err(self.err(at, msg))
    }

    /// `WHERE`: comparisons joined by `AND`.
    fn filter(&self, w: &Expr) -> Result<Vec<Predicate>, SqlError> {
        let mut stack = vec![w];
        let mut parts = Vec::new();
        while let Some(e) = stack.pop() {
            match e {
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::And,
                    right,
                } => {
                    stack.push(right);
                    stack.push(left);
                }
                Expr::Nested(inner) => stack.push(inner),
                _ => parts.push(e),
            }
        }
        if let Some(extra) = parts.get(MAX_PREDICATES) {
            return Err(self.err(
                self.at(extra.span(), self.start),
                format!(
                    "WHERE: at most {MAX_PREDICATES} comparisons are supported, found {}",
                    parts.len()
                ),
            ));
        }
        parts.into_iter().map(|e| self.predicate(e)).collect()
    }

    fn predicate(&self, e: &Expr) -> Result<Predicate, SqlError> {
        const FORM: &str =
            "WHERE takes comparisons `column op literal` (=, <>, !=, <, <=, >, >=) joined by AND";
        let at = self.at(e.span(), self.start);
        let (left, op, right) = match e {
            Expr::BinaryOp { left, op, right } => match compare_op(op) {
                Some(o) => (left, o, right),
                None if *op == BinaryOperator::Or => {
                    let l = self.at(Span::new(left.span().end, left.span().end), at);
                    return Err(self.err(
                        self.kw_after(Keyword::OR, l).unwrap_or(at),
                        format!("WHERE: OR is not supported (the filter is a conjunction); {FORM}"),
                    ));
                }
                None => {
                    return Err(self.err(
                        at,
                        format!("WHERE: the operator `{op}` is not supported; {FORM}"),
                    ));
                }
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let inner = self.at(expr.span(), at);
                return Err(self.err(
                    self.kw_before(Keyword::NOT, inner).unwrap_or(at),
                    format!("WHERE: NOT is not supported; {FORM}"),
                ));
            }
            other => {
                return Err(self.err(
                    at,
                    format!("WHERE: {} is not supported; {FORM}", describe(other)),
                ));
            }
        };
        let (col, op, lit_expr) = match (
            self.column_ref(left, "WHERE")?,
            self.column_ref(right, "WHERE")?,
        ) {
            (Some(c), None) => (c, op, right),
            (None, Some(c)) => (c, flip(op), left),
            (Some(_), Some(_)) => {
                return Err(self.err(
                    at,
                    format!("WHERE: comparing two columns is not supported; {FORM}"),
                ));
            }
            (None, None) if literal(left).is_some() && literal(right).is_some() => {
                return Err(self.err(
                    at,
                    format!("WHERE: a comparison needs a column on one side; {FORM}"),
                ));
            }
            (None, None) => {
                let culprit = if literal(left).is_some() { right } else { left };
                return Err(self.err(
                    self.at(culprit.span(), at),
                    format!(
                        "WHERE: {} is not supported; {FORM}",
                        describe(unwrap_nested(culprit))
                    ),
                ));
            }
        };
        let (name, col_at) = col;
        let column = self.column(&name, col_at, "WHERE")?;
        let lit_at = self.at(lit_expr.span(), at);
        let value = match literal(lit_expr) {
            Some(Lit::Number(x)) => Literal::Number(x),
            Some(Lit::Text(t)) => Literal::Text(t),
            Some(Lit::Other(what)) => {
                return Err(self.err(lit_at, format!("WHERE: {what} is not supported; {FORM}")));
            }
            None => {
                return Err(self.err(
                    lit_at,
                    format!(
                        "WHERE: `{name}` must be compared with a literal, found {}; {FORM}",
                        describe(unwrap_nested(lit_expr))
                    ),
                ));
            }
        };
        // Generated columns' rules; any other kind of column (such as one
        // read from a sample file) is left to `CustomDef::validate`.
        let generated_text = matches!(column, ColumnDef::Key { .. } | ColumnDef::Category { .. });
        match (column, &value) {
            (ColumnDef::Number { .. }, Literal::Text(_)) => {
                return Err(self.err(
                    lit_at,
                    format!("WHERE: `{name}` is a number column; compare it with a number"),
                ));
            }
            (_, Literal::Number(_)) if generated_text => {
                return Err(self.err(
                    lit_at,
                    format!("WHERE: `{name}` is a text column; compare it with a 'string'"),
                ));
            }
            (_, Literal::Text(_))
                if generated_text && !matches!(op, CompareOp::Eq | CompareOp::Ne) =>
            {
                return Err(self.err(
                    col_at,
                    format!("WHERE: `{name}` is a text column; it supports only = and <> (!=)"),
                ));
            }
            _ => {}
        }
        Ok(Predicate {
            column: name,
            op,
            value,
        })
    }

    /// `GROUP BY key, window` in either order.
    fn group_by(&self, s: &Select) -> Result<(String, WindowDef), SqlError> {
        const FORM: &str = "GROUP BY takes one key column and one window: TUMBLE(event_time, size), HOP(event_time, slide, size), SESSION(event_time, gap) or date_bin(size, event_time)";
        let group_at = self.top_kw(&[Keyword::GROUP]);
        let exprs = match &s.group_by {
            GroupByExpr::All(_) => {
                return Err(self.err(
                    group_at.unwrap_or(self.start),
                    format!("GROUP BY ALL is not supported; {FORM}"),
                ));
            }
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(self.err(
                        self.top_kw(&[Keyword::WITH, Keyword::ROLLUP, Keyword::CUBE, Keyword::TOTALS])
                            .or(group_at)
                            .unwrap_or(self.start),
                        format!("GROUP BY modifiers (WITH ROLLUP, CUBE, TOTALS) are not supported; {FORM}"),
                    ));
                }
                exprs
            }
        };
        if exprs.is_empty() {
            return Err(self.err(
                self.top_kw(&[Keyword::HAVING]).unwrap_or(self.end),
                format!("GROUP BY is missing; {FORM}, e.g. GROUP BY user_id, TUMBLE(event_time, INTERVAL '5' MINUTE)"),
            ));
        }
        let group_at = group_at.unwrap_or(self.start);
        let mut key: Option<(String, Location)> = None;
        let mut window = None;
        for e in exprs {
            let at = self.at(e.span(), group_at);
            if let Some(w) = self.window(e, at)? {
                if window.is_some() {
                    return Err(self.err(
                        at,
                        format!("GROUP BY: more than one window is not supported; {FORM}"),
                    ));
                }
                window = Some(w);
                continue;
            }
            let Some((name, col_at)) = self.column_ref(e, "GROUP BY")? else {
                let what = match unwrap_nested(e) {
                    Expr::Value(_) => "a position or literal".to_string(),
                    other => describe(other),
                };
                return Err(self.err(at, format!("GROUP BY: {what} is not supported; {FORM}")));
            };
            let column = self.column(&name, col_at, "GROUP BY")?;
            if let ColumnDef::Number { .. } = column {
                return Err(self.err(
                    col_at,
                    format!(
                        "GROUP BY: `{name}` is a number column; group by a key or category column"
                    ),
                ));
            }
            if let Some((first, _)) = &key {
                return Err(self.err(
                    col_at,
                    format!("GROUP BY: more than one key column (`{first}` and `{name}`) is not supported; {FORM}"),
                ));
            }
            key = Some((name, col_at));
        }
        match (key, window) {
            (Some((k, _)), Some(w)) => Ok((k, w)),
            (None, _) => Err(self.err(
                group_at,
                format!("GROUP BY needs a key column besides the window; {FORM}"),
            )),
            (_, None) => Err(self.err(group_at, format!("GROUP BY needs a window; {FORM}"))),
        }
    }

    /// The arguments of a plain call `f(a, b)` or `f(DISTINCT a)`: no
    /// `OVER`, `FILTER`, named arguments or clauses inside.
    fn plain_args<'e>(
        &self,
        f: &'e Function,
        name: &str,
        clause: &str,
    ) -> Result<(Option<DuplicateTreatment>, Vec<&'e FunctionArgExpr>), SqlError> {
        let at = self.at(f.name.span(), self.start);
        if f.over.is_some() {
            return Err(self.err(
                self.kw_after(Keyword::OVER, at).unwrap_or(at),
                format!("{clause}: window functions (OVER …) are not supported; windows go in GROUP BY (TUMBLE, HOP, SESSION); {SUPPORTED}"),
            ));
        }
        if f.filter.is_some() {
            return Err(self.err(
                self.kw_after(Keyword::FILTER, at).unwrap_or(at),
                format!("{clause}: FILTER (WHERE …) on an aggregate is not supported; use the query's WHERE"),
            ));
        }
        if f.null_treatment.is_some()
            || !f.within_group.is_empty()
            || f.uses_odbc_syntax
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(self.err(
                at,
                format!("{clause}: this form of `{name}(…)` is not supported"),
            ));
        }
        let list = match &f.args {
            FunctionArguments::List(list) => list,
            FunctionArguments::None => {
                return Err(self.err(
                    at,
                    format!("{clause}: `{name}` needs parentheses and arguments"),
                ));
            }
            FunctionArguments::Subquery(_) => {
                return Err(self.err(at, format!("{clause}: subqueries are not supported")));
            }
        };
        if !list.clauses.is_empty() {
            return Err(self.err(
                at,
                format!(
                    "{clause}: clauses inside `{name}(…)` (ORDER BY, LIMIT, …) are not supported"
                ),
            ));
        }
        let mut args = Vec::new();
        for a in &list.args {
            match a {
                FunctionArg::Unnamed(x) => args.push(x),
                _ => {
                    return Err(self.err(
                        self.at(a.span(), at),
                        format!("{clause}: named arguments are not supported in `{name}(…)`"),
                    ));
                }
            }
        }
        Ok((list.duplicate_treatment, args))
    }

    /// A window function call, `Ok(None)` if `e` is not a function call.
    fn window(&self, e: &Expr, at: Location) -> Result<Option<WindowDef>, SqlError> {
        let Expr::Function(f) = unwrap_nested(e) else {
            return Ok(None);
        };
        if matches!(f.args, FunctionArguments::None) {
            // No parentheses: a column named like `user` (see `column_ref`).
            return Ok(None);
        }
        let name = function_name(&f.name).unwrap_or_default();
        let usage = match name.as_str() {
            "tumble" => "TUMBLE(event_time, INTERVAL '5' MINUTE)",
            "hop" => "HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) (slide, then size)",
            "session" => "SESSION(event_time, INTERVAL '30' MINUTE) (the gap)",
            "date_bin" => "date_bin(INTERVAL '5 minutes', event_time)",
            _ => {
                return Err(self.err(
                    at,
                    format!("GROUP BY: unknown function `{}`; the windows are TUMBLE(event_time, size), HOP(event_time, slide, size), SESSION(event_time, gap) and date_bin(size, event_time)", f.name),
                ));
            }
        };
        let (dup, args) = self.plain_args(f, &name, "GROUP BY")?;
        let args: Vec<&Expr> = args
            .into_iter()
            .map(|a| match a {
                FunctionArgExpr::Expr(x) => Ok(x),
                _ => Err(self.err(at, format!("GROUP BY: write the window as {usage}"))),
            })
            .collect::<Result<_, _>>()?;
        let n = match name.as_str() {
            "hop" => 3,
            _ => 2,
        };
        if dup.is_some() || args.len() != n {
            let more = if name == "date_bin" && args.len() == 3 {
                " (an origin is not supported: windows are aligned to the epoch)"
            } else {
                ""
            };
            return Err(self.err(at, format!("GROUP BY: write the window as {usage}{more}")));
        }
        let (time, durations) = if name == "date_bin" {
            (args[1], &args[..1])
        } else {
            (args[0], &args[1..])
        };
        let time_at = self.at(time.span(), at);
        match self.column_ref(time, "GROUP BY")? {
            Some((t, _)) if t == EVENT_TIME => {}
            _ => {
                return Err(self.err(
                    time_at,
                    format!(
                        "GROUP BY: the window's time column must be `{EVENT_TIME}`, found {}",
                        describe(unwrap_nested(time))
                    ),
                ));
            }
        }
        let d: Vec<Duration> = durations
            .iter()
            .map(|x| self.interval(x, at, usage))
            .collect::<Result<_, _>>()?;
        Ok(Some(match name.as_str() {
            "hop" => WindowDef::Sliding {
                slide: d[0],
                size: d[1],
            },
            "session" => WindowDef::Session { gap: d[0] },
            _ => WindowDef::Tumbling { size: d[0] },
        }))
    }

    /// An `INTERVAL` literal in milliseconds.
    fn interval(&self, e: &Expr, fallback: Location, usage: &str) -> Result<Duration, SqlError> {
        let at = self.at(e.span(), fallback);
        let bad =
            |msg: String| self.err(at, format!("GROUP BY: {msg}; write the window as {usage}"));
        let Expr::Interval(iv) = unwrap_nested(e) else {
            return Err(bad(format!(
                "the duration must be an INTERVAL, found {}",
                describe(unwrap_nested(e))
            )));
        };
        if iv.leading_precision.is_some()
            || iv.last_field.is_some()
            || iv.fractional_seconds_precision.is_some()
        {
            return Err(bad(format!("the interval `{iv}` has an unsupported form")));
        }
        let text = match unwrap_nested(&iv.value) {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) | Value::Number(s, false) => s.as_str(),
                _ => return Err(bad(format!("the interval `{iv}` has an unsupported form"))),
            },
            _ => return Err(bad(format!("the interval `{iv}` has an unsupported form"))),
        };
        let ms = match &iv.leading_field {
            Some(field) => {
                let unit = field_ms(field).ok_or_else(|| {
                    bad(format!(
                        "the unit {field} is not supported (MILLISECOND, SECOND, MINUTE, HOUR or DAY)"
                    ))
                })?;
                amount_ms(text.trim(), unit)
            }
            None => parse_interval_text(text),
        };
        ms.map(Duration)
            .map_err(|m| bad(format!("INTERVAL '{text}': {m}")))
    }

    /// The SELECT list: the key and window bounds are checked and dropped
    /// (they are always output), aggregates are collected in order.
    fn projection(
        &self,
        s: &Select,
        sel: Location,
        key: &str,
    ) -> Result<Vec<AggregateDef>, SqlError> {
        let mut aggs: Vec<AggregateDef> = Vec::new();
        for item in &s.projection {
            let (expr, alias) = match item {
                SelectItem::UnnamedExpr(e) => (e, None),
                SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias)),
                SelectItem::ExprWithAliases { expr, .. } => {
                    return Err(self.err(
                        self.at(expr.span(), sel),
                        "SELECT: an output has exactly one name (`AS name`)",
                    ));
                }
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    let at = self.at(item.span(), sel);
                    return Err(self.err(
                        at,
                        "SELECT * is not supported: list the key, window_start, window_end and aggregates such as COUNT(*)",
                    ));
                }
            };
            let at = self.at(expr.span(), sel);
            if let Some((name, col_at)) = self.column_ref(expr, "SELECT")? {
                if name == key || name == WINDOW_START || name == WINDOW_END {
                    if let Some(a) = alias {
                        return Err(self.err(
                            a.span.start,
                            format!("SELECT: `{name}` cannot be renamed (the outputs are the key, window_start, window_end and the aggregates)"),
                        ));
                    }
                    continue;
                }
                let column = self.column(&name, col_at, "SELECT")?;
                return Err(self.err(
                    col_at,
                    format!(
                        "SELECT: `{}` is neither the GROUP BY key (`{key}`) nor aggregated; select the key, window_start, window_end or an aggregate such as {}",
                        column.name(),
                        match column {
                            ColumnDef::Number { .. } => format!("SUM({name})"),
                            _ => format!("COUNT(DISTINCT {name})"),
                        }
                    ),
                ));
            }
            let Expr::Function(f) = unwrap_nested(expr) else {
                return Err(self.err(
                    at,
                    format!("SELECT: {} is not supported; select the key, window_start, window_end and aggregates (COUNT, SUM, MIN, MAX, AVG)", describe(unwrap_nested(expr))),
                ));
            };
            let (function, column) = self.aggregate(f, at, "SELECT")?;
            if aggs.len() == MAX_AGGREGATES {
                return Err(self.err(
                    at,
                    format!("SELECT: at most {MAX_AGGREGATES} aggregates are supported"),
                ));
            }
            let (name, name_at) = match alias {
                Some(a) => (ident_name(a), a.span.start),
                None => {
                    let c = column.as_deref().unwrap_or_default();
                    let generated = match function {
                        AggFunction::Count if column.is_none() => "count".to_string(),
                        AggFunction::Count => format!("count_{c}"),
                        AggFunction::CountDistinct => format!("count_distinct_{c}"),
                        AggFunction::Sum => format!("sum_{c}"),
                        AggFunction::Min => format!("min_{c}"),
                        AggFunction::Max => format!("max_{c}"),
                        AggFunction::Avg => format!("avg_{c}"),
                    };
                    (generated, at)
                }
            };
            let hint = if alias.is_some() {
                ""
            } else {
                " (a generated name; give it an alias with AS)"
            };
            if !valid_name(&name) {
                return Err(self.err(
                    name_at,
                    format!("SELECT: `{name}` is not a valid output name{hint}: it must start with a lowercase letter and use only a-z, 0-9 and _ (at most {MAX_NAME_LEN} characters)"),
                ));
            }
            if name == key || name == WINDOW_START || name == WINDOW_END {
                return Err(self.err(
                    name_at,
                    format!("SELECT: the output name `{name}` clashes with the key or a window bound{hint}"),
                ));
            }
            if aggs.iter().any(|a| a.name == name) {
                return Err(self.err(
                    name_at,
                    format!("SELECT: two outputs are named `{name}`{hint}"),
                ));
            }
            aggs.push(AggregateDef {
                name,
                function,
                column,
            });
        }
        if aggs.is_empty() {
            return Err(self.err(
                sel,
                "SELECT needs at least one aggregate, such as COUNT(*) or SUM(amount)",
            ));
        }
        Ok(aggs)
    }

    /// An aggregate call: its function and input column.
    fn aggregate(
        &self,
        f: &Function,
        at: Location,
        clause: &str,
    ) -> Result<(AggFunction, Option<String>), SqlError> {
        const AGGS: &str = "the aggregates are COUNT(*), COUNT(col), COUNT(DISTINCT col), SUM(col), MIN(col), MAX(col) and AVG(col)";
        let name = function_name(&f.name).unwrap_or_default();
        let upper = name.to_uppercase();
        let function = match name.as_str() {
            "count" => AggFunction::Count,
            "sum" => AggFunction::Sum,
            "min" => AggFunction::Min,
            "max" => AggFunction::Max,
            "avg" => AggFunction::Avg,
            "tumble" | "hop" | "session" | "date_bin" => {
                return Err(self.err(
                    at,
                    format!("{clause}: the window `{upper}(…)` goes in GROUP BY; select window_start and window_end for its bounds"),
                ));
            }
            _ => {
                return Err(self.err(
                    at,
                    format!("{clause}: unknown function `{}`; {AGGS}", f.name),
                ));
            }
        };
        let (dup, args) = self.plain_args(f, &upper, clause)?;
        let distinct = matches!(dup, Some(DuplicateTreatment::Distinct));
        if distinct && function != AggFunction::Count {
            return Err(self.err(
                at,
                format!("{clause}: {upper}(DISTINCT …) is not supported; only COUNT(DISTINCT col)"),
            ));
        }
        let arg = match args.as_slice() {
            [FunctionArgExpr::Wildcard] if function == AggFunction::Count && !distinct => {
                return Ok((AggFunction::Count, None));
            }
            [FunctionArgExpr::Expr(x)] => x,
            _ => {
                return Err(self.err(
                    at,
                    format!(
                        "{clause}: `{upper}` takes {}; {AGGS}",
                        if function == AggFunction::Count {
                            "* or one column"
                        } else {
                            "one column"
                        }
                    ),
                ));
            }
        };
        if function == AggFunction::Count
            && !distinct
            && matches!(literal(arg), Some(Lit::Number(x)) if x == 1.0)
        {
            return Ok((AggFunction::Count, None));
        }
        let arg_at = self.at(arg.span(), at);
        let Some((col, col_at)) = self.column_ref(arg, clause)? else {
            return Err(self.err(
                arg_at,
                format!(
                    "{clause}: the argument of {upper} must be a column, found {}",
                    describe(unwrap_nested(arg))
                ),
            ));
        };
        let column = self.column(&col, col_at, clause)?;
        let function = match function {
            AggFunction::Count if distinct => AggFunction::CountDistinct,
            AggFunction::Count => AggFunction::Count,
            other => {
                if !matches!(column, ColumnDef::Number { .. }) {
                    return Err(self.err(
                        col_at,
                        format!("{clause}: `{col}` is not a number column; only COUNT and COUNT(DISTINCT) apply to it"),
                    ));
                }
                other
            }
        };
        Ok((function, Some(col)))
    }

    /// `HAVING aggregate op number`.
    fn having(&self, h: &Expr, key: &str, aggs: &[AggregateDef]) -> Result<AlertDef, SqlError> {
        const FORM: &str = "HAVING takes one comparison `aggregate op number`, the aggregate written as in SELECT (SUM(amount)) or by its name";
        let h = unwrap_nested(h);
        let at = self.at(
            h.span(),
            self.top_kw(&[Keyword::HAVING]).unwrap_or(self.start),
        );
        let Expr::BinaryOp { left, op, right } = h else {
            return Err(self.err(
                at,
                format!("HAVING: {} is not supported; {FORM}", describe(h)),
            ));
        };
        let Some(op) = compare_op(op) else {
            let kw = match op {
                BinaryOperator::And => Some(Keyword::AND),
                BinaryOperator::Or => Some(Keyword::OR),
                _ => None,
            };
            let l = self.at(Span::new(left.span().end, left.span().end), at);
            let kw_at = kw.and_then(|k| self.kw_after(k, l)).unwrap_or(at);
            return Err(self.err(
                kw_at,
                format!(
                    "HAVING: the operator `{op}` is not supported (one comparison only); {FORM}"
                ),
            ));
        };
        let (target, op, value) = match (literal(left), literal(right)) {
            (None, Some(v)) => (left, op, (v, right)),
            (Some(v), None) => (right, flip(op), (v, left)),
            _ => {
                return Err(self.err(
                    at,
                    format!("HAVING: compare one aggregate with a number; {FORM}"),
                ));
            }
        };
        let value = match value.0 {
            Lit::Number(x) => x,
            _ => {
                return Err(self.err(
                    self.at(value.1.span(), at),
                    format!("HAVING: the threshold must be a number; {FORM}"),
                ));
            }
        };
        let target_at = self.at(target.span(), at);
        let aggregate = if let Some((name, name_at)) = self.column_ref(target, "HAVING")? {
            if aggs.iter().any(|a| a.name == name) {
                name
            } else if name == key || self.columns.iter().any(|c| c.name() == name) {
                return Err(self.err(
                    name_at,
                    format!("HAVING: `{name}` is a column, not an aggregate; filter columns in WHERE; {FORM}"),
                ));
            } else {
                let names: Vec<&str> = aggs.iter().map(|a| a.name.as_str()).collect();
                return Err(self.err(
                    name_at,
                    format!(
                        "HAVING: no aggregate named `{name}`; the SELECT list's aggregates are {}",
                        names.join(", ")
                    ),
                ));
            }
        } else if let Expr::Function(f) = unwrap_nested(target) {
            let (function, column) = self.aggregate(f, target_at, "HAVING")?;
            match aggs
                .iter()
                .find(|a| a.function == function && a.column == column)
            {
                Some(a) => a.name.clone(),
                None => {
                    return Err(self.err(
                        target_at,
                        format!("HAVING: `{}` is not in the SELECT list; add it there (an alert keeps windows by one of the query's outputs)", unwrap_nested(target)),
                    ));
                }
            }
        } else {
            return Err(self.err(
                target_at,
                format!(
                    "HAVING: {} is not supported; {FORM}",
                    describe(unwrap_nested(target))
                ),
            ));
        };
        Ok(AlertDef {
            aggregate,
            op,
            value,
        })
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Splits sqlparser's "… at Line: L, Column: C" into the message and place.
fn split_location(m: &str) -> Option<(&str, Location)> {
    let i = m.rfind(" at Line: ")?;
    let (line, column) = m[i + " at Line: ".len()..].split_once(", Column: ")?;
    let loc = Location::new(line.trim().parse().ok()?, column.trim().parse().ok()?);
    Some((&m[..i], loc))
}

/// Milliseconds of one unit of an `INTERVAL … <field>`.
fn field_ms(f: &DateTimeField) -> Option<i64> {
    Some(match f {
        DateTimeField::Millisecond | DateTimeField::Milliseconds => 1,
        DateTimeField::Second | DateTimeField::Seconds => SECOND,
        DateTimeField::Minute | DateTimeField::Minutes => MINUTE,
        DateTimeField::Hour | DateTimeField::Hours => HOUR,
        DateTimeField::Day | DateTimeField::Days => DAY,
        _ => None?,
    })
}

/// Milliseconds of a unit word in interval text (`'5 minutes'`).
fn unit_ms(word: &str) -> Option<i64> {
    Some(match word.to_ascii_lowercase().as_str() {
        "millisecond" | "milliseconds" => 1,
        "second" | "seconds" => SECOND,
        "minute" | "minutes" => MINUTE,
        "hour" | "hours" => HOUR,
        "day" | "days" => DAY,
        _ => None?,
    })
}

/// `'30 minutes'`, `'1 hour 30 minutes'`: number-unit pairs, summed.
fn parse_interval_text(text: &str) -> Result<i64, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) || words.len() > 10 {
        return Err("expected a number and a unit, such as '5 minutes'".to_string());
    }
    let mut total: i64 = 0;
    for pair in words.chunks(2) {
        let unit = unit_ms(pair[1]).ok_or_else(|| {
            format!(
                "unknown unit `{}` (use milliseconds, seconds, minutes, hours or days)",
                pair[1]
            )
        })?;
        total = total
            .checked_add(amount_ms(pair[0], unit)?)
            .ok_or("the interval is too long")?;
    }
    Ok(total)
}

/// `amount` (a decimal such as `5`, `-2`, `1.5`) times `unit` ms, exactly.
fn amount_ms(amount: &str, unit: i64) -> Result<i64, String> {
    let not_a_number = || format!("`{amount}` is not a number");
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount.strip_prefix('+').unwrap_or(amount)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(not_a_number());
    }
    if int.len() + frac.len() > 30 {
        return Err("the interval is too long".to_string());
    }
    let mut n: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        n = n * 10 + i128::from(b - b'0');
    }
    let scaled = n * i128::from(unit);
    let div = 10i128.pow(frac.len() as u32);
    if scaled % div != 0 {
        return Err("the interval must be a whole number of milliseconds".to_string());
    }
    let ms = scaled / div;
    let ms = if negative { -ms } else { ms };
    i64::try_from(ms).map_err(|_| "the interval is too long".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom::def::{CustomDef, KeyDistribution, NumberDistribution};
    use proptest::prelude::*;

    fn cols() -> Vec<ColumnDef> {
        vec![
            ColumnDef::Key {
                name: "user_id".into(),
                cardinality: 1000,
                distribution: KeyDistribution::Uniform,
            },
            ColumnDef::Category {
                name: "page".into(),
                values: vec!["home".into(), "cart".into()],
                weights: None,
            },
            ColumnDef::Key {
                name: "card_id".into(),
                cardinality: 100,
                distribution: KeyDistribution::Uniform,
            },
            ColumnDef::Number {
                name: "amount".into(),
                distribution: NumberDistribution::Uniform {
                    min: 0.0,
                    max: 1000.0,
                },
                decimals: 2,
            },
            ColumnDef::Category {
                name: "country".into(),
                values: vec!["US".into(), "FR".into(), "it's".into(), "a\\b".into()],
                weights: None,
            },
        ]
    }

    /// Columns whose names are SQL keywords, to exercise quoting.
    fn keyword_cols() -> Vec<ColumnDef> {
        vec![
            ColumnDef::Key {
                name: "user".into(),
                cardinality: 10,
                distribution: KeyDistribution::Uniform,
            },
            ColumnDef::Number {
                name: "order".into(),
                distribution: NumberDistribution::Uniform { min: 0.0, max: 1.0 },
                decimals: 0,
            },
            ColumnDef::Category {
                name: "select".into(),
                values: vec!["x".into()],
                weights: None,
            },
            ColumnDef::Number {
                name: "count".into(),
                distribution: NumberDistribution::Uniform { min: 0.0, max: 1.0 },
                decimals: 0,
            },
        ]
    }

    fn ok(sql: &str) -> QueryDef {
        query_from_sql(sql, &cols()).unwrap_or_else(|e| panic!("{sql}\n=> {e}"))
    }

    /// Asserts `sql` fails at `line`:`column` with a message containing
    /// every one of `needles`.
    #[track_caller]
    fn rejects(sql: &str, line: u64, column: u64, needles: &[&str]) {
        let shown: String = sql.chars().take(300).collect();
        let e = query_from_sql(sql, &cols()).expect_err(&shown);
        assert_eq!((e.line, e.column), (line, column), "{shown}\n=> {e}");
        for n in needles {
            assert!(e.message.contains(n), "{shown}\n=> {e}\nmissing {n:?}");
        }
    }

    fn agg(name: &str, function: AggFunction, column: Option<&str>) -> AggregateDef {
        AggregateDef {
            name: name.into(),
            function,
            column: column.map(Into::into),
        }
    }

    fn mins(n: i64) -> Duration {
        Duration(n * MINUTE)
    }

    const TUMBLE5: &str = "GROUP BY user_id, TUMBLE(event_time, INTERVAL '5' MINUTE)";

    #[test]
    fn sql_spec_session_example() {
        let q = ok(
            "SELECT user_id, COUNT(*) AS clicks, COUNT(DISTINCT page) AS pages FROM events GROUP BY user_id, SESSION(event_time, INTERVAL '30' MINUTE)",
        );
        assert_eq!(
            q,
            QueryDef {
                key: "user_id".into(),
                filter: vec![],
                window: WindowDef::Session { gap: mins(30) },
                aggregates: vec![
                    agg("clicks", AggFunction::Count, None),
                    agg("pages", AggFunction::CountDistinct, Some("page")),
                ],
                alert: None,
            }
        );
        CustomDef {
            columns: cols(),
            query: q,
            sql: None,
        }
        .validate("")
        .unwrap();
    }

    #[test]
    fn sql_spec_fraud_example() {
        let q = ok(
            "SELECT card_id, window_end, SUM(amount) AS total FROM events WHERE country <> 'US' GROUP BY card_id, HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) HAVING SUM(amount) > 100000",
        );
        assert_eq!(
            q,
            QueryDef {
                key: "card_id".into(),
                filter: vec![Predicate {
                    column: "country".into(),
                    op: CompareOp::Ne,
                    value: Literal::Text("US".into()),
                }],
                window: WindowDef::Sliding {
                    size: mins(5),
                    slide: mins(1),
                },
                aggregates: vec![agg("total", AggFunction::Sum, Some("amount"))],
                alert: Some(AlertDef {
                    aggregate: "total".into(),
                    op: CompareOp::Gt,
                    value: 100000.0,
                }),
            }
        );
        CustomDef {
            columns: cols(),
            query: q,
            sql: None,
        }
        .validate("")
        .unwrap();
    }

    #[test]
    fn sql_window_syntaxes_and_intervals() {
        let window = |g: &str| ok(&format!("SELECT COUNT(*) FROM events GROUP BY {g}")).window;
        let tumble = |ms: i64| WindowDef::Tumbling { size: Duration(ms) };
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '5' MINUTE)"),
            tumble(5 * MINUTE)
        );
        assert_eq!(
            window("TUMBLE(event_time, INTERVAL '5' MINUTE), user_id"),
            tumble(5 * MINUTE)
        );
        assert_eq!(
            window("user_id, tumble(EVENT_TIME, interval '5 minutes')"),
            tumble(5 * MINUTE)
        );
        assert_eq!(
            window("user_id, TUMBLE(events.event_time, INTERVAL '1 Minute')"),
            tumble(MINUTE)
        );
        assert_eq!(
            window("user_id, date_bin(INTERVAL '5 minutes', event_time)"),
            tumble(5 * MINUTE)
        );
        assert_eq!(
            window("user_id, DATE_BIN(INTERVAL '2' HOURS, event_time)"),
            tumble(2 * HOUR)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '1 hour 30 minutes')"),
            tumble(90 * MINUTE)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '1.5' SECOND)"),
            tumble(1500)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '1' DAY)"),
            tumble(DAY)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '3 days')"),
            tumble(3 * DAY)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '45' seconds)"),
            tumble(45 * SECOND)
        );
        assert_eq!(
            window("user_id, TUMBLE(event_time, INTERVAL '250' MILLISECOND)"),
            tumble(250)
        );
        assert_eq!(
            window("(user_id), (TUMBLE(event_time, (INTERVAL '5' MINUTE)))"),
            tumble(5 * MINUTE)
        );
        assert_eq!(
            window("user_id, HOP(event_time, INTERVAL '10' SECOND, INTERVAL '1' MINUTE)"),
            WindowDef::Sliding {
                size: mins(1),
                slide: Duration(10 * SECOND)
            }
        );
        assert_eq!(
            window("user_id, SESSION(event_time, INTERVAL '2 hours')"),
            WindowDef::Session {
                gap: Duration(2 * HOUR)
            }
        );
    }

    #[test]
    fn sql_select_items_names_and_order() {
        let q = ok(&format!(
            "SELECT window_end, MAX(amount), user_id, window_start, COUNT(*), AVG(amount) avg, MIN(amount), COUNT(page), COUNT(1) AS ones, count(distinct page), Sum(amount) AS \"total\" FROM events {TUMBLE5}"
        ));
        assert_eq!(
            q.aggregates,
            vec![
                agg("max_amount", AggFunction::Max, Some("amount")),
                agg("count", AggFunction::Count, None),
                agg("avg", AggFunction::Avg, Some("amount")),
                agg("min_amount", AggFunction::Min, Some("amount")),
                agg("count_page", AggFunction::Count, Some("page")),
                agg("ones", AggFunction::Count, None),
                agg(
                    "count_distinct_page",
                    AggFunction::CountDistinct,
                    Some("page")
                ),
                agg("total", AggFunction::Sum, Some("amount")),
            ]
        );
        // The key and window bounds may be left out: they are always output.
        let q = ok(&format!("SELECT COUNT(*) AS n FROM events {TUMBLE5};"));
        assert_eq!(q.key, "user_id");
        assert_eq!(q.aggregates, vec![agg("n", AggFunction::Count, None)]);
        // Aliases fold to lower case unless quoted; `FROM events AS e` qualifies.
        let q = ok(&format!(
            "SELECT e.user_id, SUM(e.amount) AS Total FROM events AS e {TUMBLE5}"
        ));
        assert_eq!(
            q.aggregates,
            vec![agg("total", AggFunction::Sum, Some("amount"))]
        );
    }

    #[test]
    fn sql_where_conjunctions() {
        let q = ok(&format!(
            "SELECT COUNT(*) FROM events WHERE (amount >= -12.5 AND (page = 'home')) AND 100 > amount AND country != 'it''s' AND 'FR' <> country AND amount < 1e3 AND amount <= .5 AND amount = +3 {TUMBLE5}"
        ));
        let p = |c: &str, op, value| Predicate {
            column: c.into(),
            op,
            value,
        };
        assert_eq!(
            q.filter,
            vec![
                p("amount", CompareOp::Ge, Literal::Number(-12.5)),
                p("page", CompareOp::Eq, Literal::Text("home".into())),
                p("amount", CompareOp::Lt, Literal::Number(100.0)),
                p("country", CompareOp::Ne, Literal::Text("it's".into())),
                p("country", CompareOp::Ne, Literal::Text("FR".into())),
                p("amount", CompareOp::Lt, Literal::Number(1000.0)),
                p("amount", CompareOp::Le, Literal::Number(0.5)),
                p("amount", CompareOp::Eq, Literal::Number(3.0)),
            ]
        );
    }

    #[test]
    fn sql_having_forms() {
        let alert = |h: &str| {
            ok(&format!(
                "SELECT COUNT(*) AS n, SUM(amount) AS total FROM events {TUMBLE5} HAVING {h}"
            ))
            .alert
            .unwrap()
        };
        let a = |name: &str, op, value| AlertDef {
            aggregate: name.into(),
            op,
            value,
        };
        assert_eq!(alert("COUNT(*) >= 3"), a("n", CompareOp::Ge, 3.0));
        assert_eq!(alert("n < 3"), a("n", CompareOp::Lt, 3.0));
        assert_eq!(
            alert("(10.5 < SUM(amount))"),
            a("total", CompareOp::Gt, 10.5)
        );
        assert_eq!(alert("total <> -1"), a("total", CompareOp::Ne, -1.0));
    }

    fn sample_queries() -> Vec<QueryDef> {
        let base = QueryDef {
            key: "user_id".into(),
            filter: vec![],
            window: WindowDef::Tumbling { size: mins(5) },
            aggregates: vec![agg("count", AggFunction::Count, None)],
            alert: None,
        };
        vec![
            base.clone(),
            QueryDef {
                key: "card_id".into(),
                window: WindowDef::Sliding {
                    size: Duration(HOUR),
                    slide: Duration(90 * SECOND),
                },
                filter: vec![
                    Predicate {
                        column: "amount".into(),
                        op: CompareOp::Ge,
                        value: Literal::Number(-0.05),
                    },
                    Predicate {
                        column: "country".into(),
                        op: CompareOp::Eq,
                        value: Literal::Text("it's".into()),
                    },
                    Predicate {
                        column: "page".into(),
                        op: CompareOp::Ne,
                        value: Literal::Text("a\\b".into()),
                    },
                    Predicate {
                        column: "amount".into(),
                        op: CompareOp::Lt,
                        value: Literal::Number(1e12),
                    },
                ],
                aggregates: vec![
                    agg("n", AggFunction::Count, None),
                    agg("n_page", AggFunction::Count, Some("page")),
                    agg("pages", AggFunction::CountDistinct, Some("page")),
                    agg("total", AggFunction::Sum, Some("amount")),
                    agg("lo", AggFunction::Min, Some("amount")),
                    agg("hi", AggFunction::Max, Some("amount")),
                    agg("mean", AggFunction::Avg, Some("amount")),
                ],
                alert: Some(AlertDef {
                    aggregate: "mean".into(),
                    op: CompareOp::Le,
                    value: 0.125,
                }),
            },
            QueryDef {
                key: "page".into(),
                window: WindowDef::Session {
                    gap: Duration(1500),
                },
                aggregates: vec![
                    agg("a", AggFunction::Sum, Some("amount")),
                    agg("b", AggFunction::Sum, Some("amount")),
                ],
                // Two aggregates compute the same: the alert names its own.
                alert: Some(AlertDef {
                    aggregate: "b".into(),
                    op: CompareOp::Ne,
                    value: -3.0,
                }),
                ..base.clone()
            },
            QueryDef {
                window: WindowDef::Tumbling {
                    size: Duration(7 * DAY),
                },
                alert: Some(AlertDef {
                    aggregate: "count".into(),
                    op: CompareOp::Gt,
                    value: 100000.0,
                }),
                ..base
            },
        ]
    }

    #[test]
    fn sql_round_trips_sample_queries() {
        for q in sample_queries() {
            let sql = sql_from_query(&q);
            assert_eq!(query_from_sql(&sql, &cols()), Ok(q), "{sql}");
        }
        assert_eq!(
            sql_from_query(&sample_queries()[3]),
            "SELECT user_id, window_start, window_end, COUNT(*) AS count FROM events GROUP BY user_id, TUMBLE(event_time, INTERVAL '7' DAY) HAVING COUNT(*) > 100000"
        );
    }

    #[test]
    fn sql_round_trips_keyword_names() {
        let q = QueryDef {
            key: "user".into(),
            filter: vec![
                Predicate {
                    column: "order".into(),
                    op: CompareOp::Gt,
                    value: Literal::Number(1.0),
                },
                Predicate {
                    column: "select".into(),
                    op: CompareOp::Eq,
                    value: Literal::Text("x".into()),
                },
            ],
            window: WindowDef::Session { gap: mins(1) },
            aggregates: vec![
                agg("count", AggFunction::Sum, Some("count")),
                agg("from", AggFunction::CountDistinct, Some("select")),
                agg("order_total", AggFunction::Sum, Some("order")),
            ],
            alert: Some(AlertDef {
                aggregate: "from".into(),
                op: CompareOp::Ge,
                value: 2.0,
            }),
        };
        let sql = sql_from_query(&q);
        assert!(sql.contains("\"order\""), "{sql}");
        assert_eq!(query_from_sql(&sql, &keyword_cols()), Ok(q), "{sql}");
    }

    fn arb_query() -> impl Strategy<Value = QueryDef> {
        const NAMES: &[&str] = &[
            "n", "total", "count", "sum", "from", "select", "order", "x1", "a_b", "window",
            "interval", "group", "where", "having", "user", "distinct",
        ];
        let op = prop::sample::select(vec![
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ]);
        let number = prop_oneof![
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
            (-1_000_000i64..1_000_000, 0u32..5).prop_map(|(n, d)| n as f64 / 10f64.powi(d as i32)),
        ];
        let text = prop_oneof![
            Just("US".to_string()),
            "[ -~]{0,12}".prop_map(|s| s.replace('"', "")),
        ];
        let predicate = prop_oneof![
            (op.clone(), number.clone()).prop_map(|(op, x)| Predicate {
                column: "amount".into(),
                op,
                value: Literal::Number(x),
            }),
            (
                prop::sample::select(vec!["page", "country", "user_id"]),
                any::<bool>(),
                text
            )
                .prop_map(|(c, eq, t)| Predicate {
                    column: c.into(),
                    op: if eq { CompareOp::Eq } else { CompareOp::Ne },
                    value: Literal::Text(t),
                }),
        ];
        let ms = prop_oneof![
            (1i64..100).prop_map(|n| n * SECOND),
            (1i64..100).prop_map(|n| n * MINUTE),
            (1i64..48).prop_map(|n| n * HOUR),
            (1i64..8).prop_map(|n| n * DAY),
            1i64..100_000,
        ];
        let window = prop_oneof![
            ms.clone()
                .prop_map(|m| WindowDef::Tumbling { size: Duration(m) }),
            (ms.clone(), 1i64..60).prop_map(|(m, k)| WindowDef::Sliding {
                size: Duration(m * k),
                slide: Duration(m),
            }),
            ms.prop_map(|m| WindowDef::Session { gap: Duration(m) }),
        ];
        let function = prop::sample::select(vec![
            (AggFunction::Count, None),
            (AggFunction::Count, Some("page")),
            (AggFunction::CountDistinct, Some("country")),
            (AggFunction::CountDistinct, Some("amount")),
            (AggFunction::Sum, Some("amount")),
            (AggFunction::Min, Some("amount")),
            (AggFunction::Max, Some("amount")),
            (AggFunction::Avg, Some("amount")),
        ]);
        let aggregates = prop::collection::vec(function, 1..=MAX_AGGREGATES).prop_flat_map(|fs| {
            let n = fs.len();
            (Just(fs), prop::sample::subsequence(NAMES.to_vec(), n)).prop_map(|(fs, names)| {
                fs.into_iter()
                    .zip(names)
                    .map(|((f, c), name)| agg(name, f, c))
                    .collect::<Vec<_>>()
            })
        });
        (
            prop::sample::select(vec!["user_id", "card_id", "page", "country"]),
            prop::collection::vec(predicate, 0..=MAX_PREDICATES),
            window,
            aggregates,
            prop::option::of((any::<prop::sample::Index>(), op, number)),
        )
            .prop_map(|(key, filter, window, aggregates, alert)| QueryDef {
                key: key.into(),
                filter,
                window,
                alert: alert.map(|(i, op, value)| AlertDef {
                    aggregate: i.get(&aggregates).name.clone(),
                    op,
                    value,
                }),
                aggregates,
            })
    }

    /// Valid queries to mutate.
    const SEEDS: &[&str] = &[
        "SELECT user_id, COUNT(*) AS clicks, COUNT(DISTINCT page) AS pages FROM events GROUP BY user_id, SESSION(event_time, INTERVAL '30' MINUTE)",
        "SELECT card_id, window_end, SUM(amount) AS total FROM events WHERE country <> 'US' GROUP BY card_id, HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) HAVING SUM(amount) > 100000",
        "SELECT e.user_id, AVG(amount) FROM events AS e WHERE (amount >= -1.5 AND page = 'home') GROUP BY date_bin(INTERVAL '5 minutes', event_time), user_id HAVING 3 < avg_amount;",
    ];

    const SOUP: &[&str] = &[
        "SELECT",
        "FROM",
        "events",
        "WHERE",
        "GROUP",
        "BY",
        "HAVING",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        ",",
        "*",
        "=",
        "<>",
        "<",
        ">=",
        "-",
        "1",
        "2.5",
        "'US'",
        "user_id",
        "amount",
        "page",
        "event_time",
        "COUNT",
        "SUM",
        "DISTINCT",
        "AS",
        "TUMBLE",
        "HOP",
        "SESSION",
        "date_bin",
        "INTERVAL",
        "'5'",
        "MINUTE",
        "'5 minutes'",
        "window_start",
        "ORDER",
        "LIMIT",
        "JOIN",
        "ON",
        "UNION",
        "WITH",
        "OVER",
        ";",
        "\"",
        "'",
        "e.",
        "ALL",
        "IN",
        "BETWEEN",
        "CASE",
        "WHEN",
        "END",
        "[",
        "]",
        "::",
        "|>",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn sql_round_trips_generated_queries(q in arb_query()) {
            let sql = sql_from_query(&q);
            prop_assert_eq!(query_from_sql(&sql, &cols()), Ok(q), "{}", sql);
        }

        #[test]
        fn sql_never_panics_on_any_string(s in any::<String>()) {
            let _ = query_from_sql(&s, &cols());
        }

        #[test]
        fn sql_never_panics_on_token_soup(words in prop::collection::vec(prop::sample::select(SOUP.to_vec()), 0..60)) {
            let _ = query_from_sql(&words.join(" "), &cols());
        }

        #[test]
        fn sql_never_panics_on_mutated_queries(
            seed in prop::sample::select(SEEDS.to_vec()),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<bool>(), "[ -~]{0,3}|.{0,2}"), 1..6),
        ) {
            let mut chars: Vec<char> = seed.chars().collect();
            for (at, len, delete, insert) in edits {
                let i = at.index(chars.len() + 1);
                if delete {
                    let end = (i + len).min(chars.len());
                    chars.drain(i..end);
                } else {
                    for (k, c) in insert.chars().enumerate() {
                        chars.insert(i + k, c);
                    }
                }
            }
            let s: String = chars.into_iter().collect();
            if let Err(e) = query_from_sql(&s, &cols()) {
                prop_assert!(e.line >= 1 && e.column >= 1);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn sql_error_display() {
        let e = SqlError {
            line: 2,
            column: 7,
            message: "boom".into(),
        };
        assert_eq!(e.to_string(), "line 2, column 7: boom");
    }

    #[test]
    fn sql_rejects_empty_and_oversized_text() {
        rejects("", 1, 1, &["empty"]);
        rejects("  \n -- only a comment\n", 1, 1, &["empty"]);
        rejects(";", 1, 1, &["no statement"]);
        let long = format!(
            "SELECT COUNT(*) FROM events {TUMBLE5} --{}",
            "x".repeat(MAX_SQL_BYTES)
        );
        rejects(&long, 1, MAX_SQL_BYTES as u64 + 1, &["16384"]);
        let mut lines = "-- padding\n".repeat(MAX_SQL_BYTES / 11);
        lines.push_str("SELECT 1");
        rejects(
            &lines,
            (MAX_SQL_BYTES / 11 + 1) as u64,
            1 + (MAX_SQL_BYTES % 11) as u64,
            &["at most 16384"],
        );
    }

    #[test]
    fn sql_rejects_deep_nesting_without_overflowing() {
        rejects(&"(".repeat(10000), 1, MAX_NESTING as u64 + 1, &["nested"]);
        let deep = format!(
            "SELECT COUNT(*) FROM events WHERE {}amount > 1{} {TUMBLE5}",
            "(".repeat(40),
            ")".repeat(40)
        );
        let e = query_from_sql(&deep, &cols()).unwrap_err();
        assert!(e.message.contains("nested"), "{e}");
        // Nesting that is not brackets trips sqlparser's recursion limit.
        let nots = format!(
            "SELECT COUNT(*) FROM events WHERE {}amount > 1 {TUMBLE5}",
            "NOT ".repeat(200)
        );
        assert!(query_from_sql(&nots, &cols()).is_err());
        let minus = format!(
            "SELECT COUNT(*) FROM events WHERE amount > {}1 {TUMBLE5}",
            "- ".repeat(200)
        );
        let e = query_from_sql(&minus, &cols()).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{e}");
        // Long left-deep chains are capped by the token count.
        let chain = format!(
            "SELECT COUNT(*) FROM events WHERE amount > 1{} {TUMBLE5}",
            " + 1".repeat(3000)
        );
        // Token 1000 (from 0) is the `1` of the 495th ` + 1`.
        rejects(&chain, 1, 44 + 494 * 4 + 4, &["1000 tokens"]);
        let ands = format!(
            "SELECT COUNT(*) FROM events WHERE {} amount > 1 {TUMBLE5}",
            "amount > 1 AND ".repeat(240)
        );
        let e = query_from_sql(&ands, &cols()).unwrap_err();
        assert!(e.message.contains("at most 8 comparisons"), "{e}");
    }

    #[test]
    fn sql_near_the_caps_errors_without_overflowing() {
        // Just under MAX_TOKENS: a ~480-deep expression is described, spanned
        // and dropped without running out of stack.
        let chain = format!(
            "SELECT COUNT(*) FROM events WHERE amount > 1{} {TUMBLE5}",
            " + 1".repeat(480)
        );
        rejects(&chain, 1, 44, &["WHERE", "literal"]);
        let chain = format!(
            "SELECT 1{}, COUNT(*) FROM events {TUMBLE5}",
            " * 1".repeat(480)
        );
        rejects(&chain, 1, 8, &["SELECT"]);
    }

    #[test]
    fn sql_columns_count_characters() {
        rejects(
            &format!("SELECT COUNT(*) FROM events\nWHERE page = 'été' AND colour = 'x'\n{TUMBLE5}"),
            2,
            24,
            &["unknown column `colour`"],
        );
    }

    #[test]
    fn sql_rejects_syntax_errors_at_their_place() {
        // sqlparser reads `GROUP` as a column name here, so the error is at `BY`.
        rejects(
            "SELECT COUNT(*)\nFROM events\nWHERE amount >\nGROUP BY user_id",
            4,
            7,
            &["syntax error", "BY"],
        );
        rejects(
            "SELECT COUNT(*)\nFROM events\nWHERE page = 'home",
            3,
            14,
            &["syntax error", "Unterminated"],
        );
        // At the end of the text.
        rejects(
            "SELECT COUNT(*)\nFROM events\nWHERE",
            3,
            6,
            &["syntax error", "EOF"],
        );
    }

    #[test]
    fn sql_rejects_more_than_one_statement() {
        rejects(
            &format!("SELECT COUNT(*) FROM events {TUMBLE5};\n  SELECT 1"),
            2,
            3,
            &["one statement"],
        );
        rejects("INSERT INTO events VALUES (1)", 1, 1, &["only a SELECT"]);
    }

    #[test]
    fn sql_rejects_join_and_other_tables() {
        rejects(
            &format!("SELECT COUNT(*)\nFROM events\n  LEFT JOIN users ON true\n{TUMBLE5}"),
            3,
            8,
            &["FROM", "JOIN"],
        );
        rejects(
            &format!("SELECT COUNT(*)\nFROM events, users\n{TUMBLE5}"),
            2,
            14,
            &["FROM", "more than one table"],
        );
        rejects(
            &format!("SELECT COUNT(*)\nFROM clicks\n{TUMBLE5}"),
            2,
            6,
            &["FROM", "unknown table `clicks`", "events"],
        );
        rejects(
            &format!("SELECT COUNT(*)\n  FROM (SELECT * FROM events) t\n{TUMBLE5}"),
            2,
            9,
            &["FROM", "subqueries"],
        );
        rejects(
            "SELECT COUNT(*)\nGROUP BY user_id",
            2,
            17,
            &["FROM is missing"],
        );
    }

    #[test]
    fn sql_rejects_subqueries_in_where() {
        rejects(
            &format!("SELECT COUNT(*) FROM events\nWHERE amount > (SELECT 1)\n{TUMBLE5}"),
            2,
            17,
            &["WHERE", "subquer"],
        );
        rejects(
            &format!(
                "SELECT COUNT(*) FROM events\nWHERE page IN (SELECT page FROM events)\n{TUMBLE5}"
            ),
            2,
            7,
            &["WHERE", "subquer"],
        );
    }

    #[test]
    fn sql_rejects_query_level_clauses() {
        rejects(
            &format!("SELECT COUNT(*) AS n FROM events\n{TUMBLE5}\nORDER BY n"),
            3,
            1,
            &["ORDER BY", "supported:"],
        );
        rejects(
            &format!("SELECT COUNT(*) FROM events\n{TUMBLE5}\n LIMIT 10"),
            3,
            2,
            &["LIMIT"],
        );
        rejects(
            &format!(
                "SELECT COUNT(*) FROM events {TUMBLE5}\nUNION\nSELECT COUNT(*) FROM events {TUMBLE5}"
            ),
            2,
            1,
            &["UNION"],
        );
        rejects(
            &format!("WITH x AS (SELECT 1)\nSELECT COUNT(*) FROM events {TUMBLE5}"),
            1,
            1,
            &["WITH"],
        );
        rejects(
            &format!("SELECT\n  DISTINCT user_id, COUNT(*) FROM events {TUMBLE5}"),
            2,
            3,
            &["DISTINCT"],
        );
    }

    #[test]
    fn sql_rejects_window_functions() {
        rejects(
            &format!(
                "SELECT user_id,\n  SUM(amount) OVER (PARTITION BY user_id)\nFROM events {TUMBLE5}"
            ),
            2,
            15,
            &["SELECT", "OVER"],
        );
        rejects(
            &format!(
                "SELECT TUMBLE(event_time, INTERVAL '5' MINUTE), COUNT(*) FROM events {TUMBLE5}"
            ),
            1,
            8,
            &["SELECT", "goes in GROUP BY"],
        );
    }

    #[test]
    fn sql_rejects_or_not_and_non_literal_comparisons() {
        let w = |cond: &str| format!("SELECT COUNT(*) FROM events\nWHERE {cond}\n{TUMBLE5}");
        rejects(
            &w("amount > 1\n  OR page = 'home'"),
            3,
            3,
            &["WHERE", "OR is not supported"],
        );
        rejects(
            &w("amount > 1 AND NOT page = 'home'"),
            2,
            22,
            &["WHERE", "NOT"],
        );
        rejects(&w("amount > card_id"), 2, 7, &["WHERE", "two columns"]);
        rejects(
            &w("amount > 1 + 2"),
            2,
            16,
            &["WHERE", "literal", "`1 + 2`"],
        );
        rejects(
            &w("lower(page) = 'home'"),
            2,
            7,
            &["WHERE", "function `lower`"],
        );
        rejects(&w("page LIKE 'h%'"), 2, 7, &["WHERE", "LIKE"]);
        rejects(&w("amount BETWEEN 1 AND 2"), 2, 7, &["WHERE", "BETWEEN"]);
        rejects(&w("amount = NULL"), 2, 16, &["WHERE", "NULL"]);
        rejects(&w("1 = 1"), 2, 7, &["WHERE", "column op literal"]);
        rejects(&w("amount = 'x'"), 2, 16, &["WHERE", "number column"]);
        rejects(&w("page = 3"), 2, 14, &["WHERE", "text column"]);
        rejects(&w("page < 'x'"), 2, 7, &["WHERE", "only = and <>"]);
        rejects(&w("event_time > 5"), 2, 7, &["WHERE", "event_time"]);
        let nine = ["amount > 1"; 9].join(" AND ");
        rejects(
            &w(&nine),
            2,
            7 + 8 * 15,
            &["WHERE", "at most 8 comparisons", "found 9"],
        );
    }

    #[test]
    fn sql_rejects_unknown_functions_and_columns() {
        rejects(
            &format!("SELECT COUNT(*),\n  STDDEV(amount)\nFROM events {TUMBLE5}"),
            2,
            3,
            &["SELECT", "unknown function `STDDEV`", "COUNT(DISTINCT col)"],
        );
        rejects(
            &format!("SELECT COUNT(*) FROM events\nWHERE colour = 'red'\n{TUMBLE5}"),
            2,
            7,
            &[
                "WHERE",
                "unknown column `colour`",
                "user_id, page, card_id, amount, country",
            ],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY colour, TUMBLE(event_time, INTERVAL '5' MINUTE)",
            2,
            10,
            &["GROUP BY", "unknown column `colour`", "user_id, page"],
        );
        rejects(
            &format!("SELECT SUM(price) FROM events {TUMBLE5}"),
            1,
            12,
            &["SELECT", "unknown column `price`"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, FLOOR(event_time, INTERVAL '5' MINUTE)",
            2,
            19,
            &["GROUP BY", "unknown function `FLOOR`", "TUMBLE"],
        );
        rejects(
            &format!("SELECT SUM(page) FROM events {TUMBLE5}"),
            1,
            12,
            &["SELECT", "not a number column"],
        );
        rejects(
            &format!("SELECT SUM(DISTINCT amount) FROM events {TUMBLE5}"),
            1,
            8,
            &["SELECT", "only COUNT(DISTINCT"],
        );
        rejects(
            &format!("SELECT user_id, * FROM events {TUMBLE5}"),
            1,
            17,
            &["SELECT *"],
        );
    }

    #[test]
    fn sql_rejects_bad_group_by() {
        rejects(
            "SELECT user_id, COUNT(*)\nFROM events\nGROUP BY user_id",
            3,
            1,
            &["GROUP BY needs a window"],
        );
        rejects(
            "SELECT COUNT(*)\nFROM events\nGROUP BY TUMBLE(event_time, INTERVAL '5' MINUTE)",
            3,
            1,
            &["GROUP BY needs a key column"],
        );
        rejects(
            "SELECT COUNT(*)\nFROM events",
            2,
            12,
            &["GROUP BY is missing"],
        );
        rejects(
            "SELECT COUNT(*)\nFROM events\nGROUP BY user_id,\n  page, TUMBLE(event_time, INTERVAL '5' MINUTE)",
            4,
            3,
            &[
                "GROUP BY",
                "more than one key column (`user_id` and `page`)",
            ],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, INTERVAL '5' MINUTE),\n  SESSION(event_time, INTERVAL '5' MINUTE)",
            3,
            3,
            &["GROUP BY", "more than one window"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY amount, TUMBLE(event_time, INTERVAL '5' MINUTE)",
            2,
            10,
            &["GROUP BY", "number column"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(amount, INTERVAL '5' MINUTE)",
            2,
            26,
            &["GROUP BY", "must be `event_time`"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, HOP(event_time, INTERVAL '5' MINUTE)",
            2,
            19,
            &[
                "GROUP BY",
                "HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)",
            ],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, INTERVAL '5' WEEK)",
            2,
            47,
            &["GROUP BY", "unit"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, INTERVAL '5 fortnights')",
            2,
            47,
            &["GROUP BY", "unknown unit `fortnights`"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, 5)",
            2,
            38,
            &["GROUP BY", "must be an INTERVAL"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, INTERVAL '0.0001' SECOND)",
            2,
            47,
            &["whole number of milliseconds"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, TUMBLE(event_time, INTERVAL '99999999999999999999' DAY)",
            2,
            47,
            &["too long"],
        );
        rejects(
            "SELECT COUNT(*) FROM events\nGROUP BY user_id, date_bin(INTERVAL '5' MINUTE, event_time, TIMESTAMP '2000-01-01')",
            2,
            19,
            &["origin"],
        );
    }

    #[test]
    fn sql_rejects_bad_select_items() {
        rejects(
            &format!("SELECT user_id,\n  amount,\n  COUNT(*)\nFROM events {TUMBLE5}"),
            2,
            3,
            &[
                "SELECT",
                "`amount` is neither the GROUP BY key",
                "SUM(amount)",
            ],
        );
        rejects(
            &format!("SELECT user_id, window_start FROM events {TUMBLE5}"),
            1,
            1,
            &["at least one aggregate"],
        );
        rejects(
            &format!("SELECT 1, COUNT(*) FROM events {TUMBLE5}"),
            1,
            8,
            &["SELECT", "`1`"],
        );
        rejects(
            &format!("SELECT user_id AS u, COUNT(*) FROM events {TUMBLE5}"),
            1,
            19,
            &["cannot be renamed"],
        );
        rejects(
            &format!("SELECT event_time, COUNT(*) FROM events {TUMBLE5}"),
            1,
            8,
            &["SELECT", "event_time"],
        );
        let nine = ["COUNT(*)"; 9]
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} AS c{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        rejects(
            &format!("SELECT {nine} FROM events {TUMBLE5}"),
            1,
            8 + 8 * 16,
            &["at most 8 aggregates"],
        );
    }

    #[test]
    fn sql_rejects_bad_output_names() {
        rejects(
            &format!("SELECT COUNT(*)\n  AS \"Clicks\" FROM events {TUMBLE5}"),
            2,
            6,
            &["SELECT", "`Clicks` is not a valid output name"],
        );
        rejects(
            &format!(
                "SELECT COUNT(*) AS {} FROM events {TUMBLE5}",
                "x".repeat(49)
            ),
            1,
            20,
            &["not a valid output name"],
        );
        rejects(
            &format!("SELECT COUNT(*) AS window_end FROM events {TUMBLE5}"),
            1,
            20,
            &["clashes"],
        );
        rejects(
            &format!("SELECT COUNT(*) AS user_id FROM events {TUMBLE5}"),
            1,
            20,
            &["clashes"],
        );
        rejects(
            &format!("SELECT COUNT(*), COUNT(*) FROM events {TUMBLE5}"),
            1,
            18,
            &["two outputs are named `count`", "alias"],
        );
        rejects(
            &format!("SELECT COUNT(*) AS n, SUM(amount) AS n FROM events {TUMBLE5}"),
            1,
            38,
            &["two outputs are named `n`"],
        );
    }

    #[test]
    fn sql_rejects_bad_having() {
        let h = |cond: &str| format!("SELECT COUNT(*) AS n FROM events {TUMBLE5}\nHAVING {cond}");
        rejects(
            &h("SUM(amount) > 100"),
            2,
            8,
            &["HAVING", "`SUM(amount)` is not in the SELECT list"],
        );
        rejects(&h("n > 1 AND n < 5"), 2, 14, &["HAVING", "one comparison"]);
        rejects(
            &h("total > 1"),
            2,
            8,
            &["HAVING", "no aggregate named `total`", "n"],
        );
        rejects(&h("amount > 1"), 2, 8, &["HAVING", "is a column", "WHERE"]);
        rejects(&h("n > 'x'"), 2, 12, &["HAVING", "must be a number"]);
        rejects(
            &h("n > n"),
            2,
            8,
            &["HAVING", "compare one aggregate with a number"],
        );
    }
}
