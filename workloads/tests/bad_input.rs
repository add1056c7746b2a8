//! The input readers against bad files, through the public `Workload` trait:
//! every problem must come back as an error naming the file (and the line
//! and column where there is one) — never a panic, never silently wrong
//! data. And the same rows as CSV or Parquet must read identically.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, StringArray, TimestampMillisecondArray,
    UInt32Array, UInt64Array,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use tempfile::TempDir;
use workloads::{DailyReport, FraudAlerts, Sessionization, Workload};

const TXN_HEADER: &str = "txn_id,card_id,merchant_id,amount_cents,country,event_time";
const TXN_ROWS: [&str; 3] = [
    "1,10,100,2500,US,1767225600000",
    "2,10,101,9900,GB,1767225601000",
    "3,11,102,1000000,FR,1767225599000",
];
const ORDER_HEADER: &str =
    "order_id,store_id,product_id,category,quantity,unit_price_cents,event_time";
const ORDER_ROWS: [&str; 3] = [
    "1,3,4,toys,1,100,1767225599999",
    "2,2,3,grocery,2,500,1767225600020",
    "3,2,4,toys,5,100,1767225600010",
];
const CLICK_HEADER: &str = "user_id,page,event_time";
const CLICK_ROWS: [&str; 3] = [
    "60,/cart,1767226466975",
    "60,/help,1767226714310",
    "7,/cart,1767226000000",
];

/// Writes `lines` (joined with `\n`, plus a final newline) as `dir/name`.
fn write_lines(dir: &TempDir, name: &str, lines: &[&str]) -> PathBuf {
    let mut text = lines.join("\n");
    text.push('\n');
    write_bytes(dir, name, text.as_bytes())
}

fn write_bytes(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, bytes).expect("write the test file");
    path
}

/// Header plus rows, with row `replace.0` (0-based data row) replaced.
fn with_row(header: &str, rows: &[&str], replace: (usize, &str)) -> Vec<String> {
    let mut lines = vec![header.to_string()];
    lines.extend(rows.iter().map(|r| r.to_string()));
    lines[replace.0 + 1] = replace.1.to_string();
    lines
}

fn write_owned(dir: &TempDir, name: &str, lines: &[String]) -> PathBuf {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    write_lines(dir, name, &refs)
}

/// The error message of reading `path` as workload `W`; fails the test if
/// the read succeeds.
fn error_of<W: Workload>(workload: &W, path: &Path) -> String {
    match workload.read_events(path) {
        Ok(ds) => panic!("{} read without error: {} events", path.display(), ds.len()),
        Err(e) => e.to_string(),
    }
}

/// Asserts `msg` names `path`, and `line` and `column` when given, in the
/// `file:line, column `name`` form.
fn assert_names(msg: &str, path: &Path, line: Option<u64>, column: Option<&str>) {
    let file = path.display().to_string();
    assert!(msg.contains(&file), "`{msg}` does not name the file {file}");
    if let Some(line) = line {
        assert!(
            msg.contains(&format!("{file}:{line}")),
            "`{msg}` does not name line {line}"
        );
    }
    if let Some(column) = column {
        assert!(
            msg.contains(&format!("column `{column}`")),
            "`{msg}` does not name column {column}"
        );
    }
}

#[test]
fn too_few_fields_name_the_line_and_the_missing_column() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(TXN_HEADER, &TXN_ROWS, (1, "2,10,101,9900,GB"));
    let path = write_owned(&dir, "short.csv", &lines);
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(3), Some("event_time"));
}

#[test]
fn too_many_fields_name_the_line() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(
        TXN_HEADER,
        &TXN_ROWS,
        (2, "3,11,102,1000,FR,1767225599000,extra"),
    );
    let path = write_owned(&dir, "long.csv", &lines);
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(4), None);
    assert!(msg.contains("7 fields"), "{msg}");
}

#[test]
fn a_missing_column_is_named_at_the_header() {
    let dir = TempDir::new().unwrap();
    let path = write_lines(
        &dir,
        "no_country.csv",
        &[
            "txn_id,card_id,merchant_id,amount_cents,event_time",
            "1,10,100,2500,1767225600000",
        ],
    );
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(1), Some("country"));
    assert!(msg.contains("missing column"), "{msg}");
}

#[test]
fn a_wrong_type_names_line_column_and_value() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(TXN_HEADER, &TXN_ROWS, (1, "2,10,101,abc,GB,1767225601000"));
    let path = write_owned(&dir, "abc.csv", &lines);
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(3), Some("amount_cents"));
    assert!(msg.contains("`abc`"), "{msg}");

    let lines = with_row(TXN_HEADER, &TXN_ROWS, (0, "1,10,100,2500,US,1.7e12"));
    let path = write_owned(&dir, "float_time.csv", &lines);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("event_time"),
    );
}

#[test]
fn a_negative_or_zero_quantity_is_rejected() {
    let dir = TempDir::new().unwrap();
    for (name, row) in [
        ("negative.csv", "2,2,3,grocery,-1,500,1767225600020"),
        ("zero.csv", "2,2,3,grocery,0,500,1767225600020"),
    ] {
        let lines = with_row(ORDER_HEADER, &ORDER_ROWS, (1, row));
        let path = write_owned(&dir, name, &lines);
        let msg = error_of(&DailyReport, &path);
        assert_names(&msg, &path, Some(3), Some("quantity"));
    }
}

#[test]
fn a_negative_amount_or_price_is_rejected() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(TXN_HEADER, &TXN_ROWS, (2, "3,11,102,-5,FR,1767225599000"));
    let path = write_owned(&dir, "negative_amount.csv", &lines);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(4),
        Some("amount_cents"),
    );

    let lines = with_row(
        ORDER_HEADER,
        &ORDER_ROWS,
        (0, "1,3,4,toys,1,-100,1767225599999"),
    );
    let path = write_owned(&dir, "negative_price.csv", &lines);
    assert_names(
        &error_of(&DailyReport, &path),
        &path,
        Some(2),
        Some("unit_price_cents"),
    );
}

#[test]
fn a_bad_country_code_is_rejected() {
    let dir = TempDir::new().unwrap();
    for (i, code) in ["usa", "us", "U", "U1"].into_iter().enumerate() {
        let row = format!("2,10,101,9900,{code},1767225601000");
        let lines = with_row(TXN_HEADER, &TXN_ROWS, (1, &row));
        let path = write_owned(&dir, &format!("country{i}.csv"), &lines);
        let msg = error_of(&FraudAlerts, &path);
        assert_names(&msg, &path, Some(3), Some("country"));
        assert!(msg.contains(code), "{msg}");
    }
}

#[test]
fn an_empty_string_is_rejected() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(CLICK_HEADER, &CLICK_ROWS, (2, "7,,1767226000000"));
    let path = write_owned(&dir, "empty_page.csv", &lines);
    assert_names(
        &error_of(&Sessionization, &path),
        &path,
        Some(4),
        Some("page"),
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let dir = TempDir::new().unwrap();
    let path = write_bytes(
        &dir,
        "latin1.csv",
        b"user_id,page,event_time\n60,/cart,1767226466975\n61,/caf\xe9,1767226466976\n",
    );
    let msg = error_of(&Sessionization, &path);
    assert_names(&msg, &path, Some(3), None);
}

#[test]
fn an_empty_file_is_rejected() {
    let dir = TempDir::new().unwrap();
    let path = write_bytes(&dir, "empty.csv", b"");
    let msg = error_of(&Sessionization, &path);
    assert_names(&msg, &path, None, None);
    assert!(msg.contains("empty"), "{msg}");
}

#[test]
fn a_header_only_file_is_rejected() {
    let dir = TempDir::new().unwrap();
    let path = write_lines(&dir, "header.csv", &[CLICK_HEADER]);
    let msg = error_of(&Sessionization, &path);
    assert_names(&msg, &path, None, None);
    assert!(msg.contains("no data rows"), "{msg}");
}

#[test]
fn an_unknown_extension_is_rejected() {
    let dir = TempDir::new().unwrap();
    let mut lines = vec![CLICK_HEADER];
    lines.extend(CLICK_ROWS);
    let path = write_lines(&dir, "clicks.txt", &lines);
    let msg = error_of(&Sessionization, &path);
    assert_names(&msg, &path, None, None);
    assert!(msg.contains(".csv or .parquet"), "{msg}");
}

#[test]
fn a_missing_file_is_named() {
    let dir = TempDir::new().unwrap();
    for name in ["nowhere.csv", "nowhere.parquet"] {
        let path = dir.path().join(name);
        assert_names(&error_of(&FraudAlerts, &path), &path, None, None);
    }
}

#[test]
fn a_value_out_of_range_for_u32_is_rejected() {
    let dir = TempDir::new().unwrap();
    let lines = with_row(
        TXN_HEADER,
        &TXN_ROWS,
        (0, "1,10,4294967296,2500,US,1767225600000"),
    );
    let path = write_owned(&dir, "u32.csv", &lines);
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(2), Some("merchant_id"));
    assert!(msg.contains("4294967296"), "{msg}");

    // The largest u32 is fine; a negative u64 and a value past u64 are not.
    let lines = with_row(
        TXN_HEADER,
        &TXN_ROWS,
        (0, "1,10,4294967295,2500,US,1767225600000"),
    );
    assert!(
        FraudAlerts
            .read_events(&write_owned(&dir, "max.csv", &lines))
            .is_ok()
    );
    let lines = with_row(TXN_HEADER, &TXN_ROWS, (0, "1,-10,1,2500,US,1767225600000"));
    let path = write_owned(&dir, "neg_u64.csv", &lines);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("card_id"),
    );
    let lines = with_row(
        TXN_HEADER,
        &TXN_ROWS,
        (0, "18446744073709551616,10,1,2500,US,1767225600000"),
    );
    let path = write_owned(&dir, "big_u64.csv", &lines);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("txn_id"),
    );
}

// ---------------------------------------------------------------- Parquet

/// Writes one record batch of `columns` as a Parquet file.
fn write_parquet(dir: &TempDir, name: &str, columns: Vec<(&str, ArrayRef)>) -> PathBuf {
    let batch = RecordBatch::try_from_iter(columns).expect("valid test batch");
    let path = dir.path().join(name);
    let file = fs::File::create(&path).expect("create the Parquet file");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("Parquet writer");
    writer.write(&batch).expect("write the batch");
    writer.close().expect("close the Parquet file");
    path
}

fn u64s(v: &[u64]) -> ArrayRef {
    Arc::new(UInt64Array::from(v.to_vec()))
}
fn u32s(v: &[u32]) -> ArrayRef {
    Arc::new(UInt32Array::from(v.to_vec()))
}
fn i64s(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}
fn strs(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}
fn millis(v: &[i64]) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from(v.to_vec()).with_timezone("UTC"))
}

/// `TXN_ROWS` as Parquet columns, with `event_time` as given.
fn txn_columns(event_time: ArrayRef) -> Vec<(&'static str, ArrayRef)> {
    vec![
        ("txn_id", u64s(&[1, 2, 3])),
        ("card_id", u64s(&[10, 10, 11])),
        ("merchant_id", u32s(&[100, 101, 102])),
        ("amount_cents", i64s(&[2500, 9900, 1_000_000])),
        ("country", strs(&["US", "GB", "FR"])),
        ("event_time", event_time),
    ]
}
const TXN_TIMES: [i64; 3] = [1_767_225_600_000, 1_767_225_601_000, 1_767_225_599_000];

#[test]
fn a_parquet_column_of_the_wrong_type_is_named() {
    let dir = TempDir::new().unwrap();
    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[3].1 = strs(&["2500", "9900", "1000000"]);
    let path = write_parquet(&dir, "amount_as_string.parquet", cols);
    let msg = error_of(&FraudAlerts, &path);
    assert_names(&msg, &path, Some(1), Some("amount_cents"));

    let float_times: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
    let path = write_parquet(&dir, "float_time.parquet", txn_columns(float_times));
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(1),
        Some("event_time"),
    );

    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[4].1 = i64s(&[1, 2, 3]);
    let path = write_parquet(&dir, "country_as_int.parquet", cols);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(1),
        Some("country"),
    );
}

#[test]
fn parquet_values_are_checked_like_csv_values() {
    let dir = TempDir::new().unwrap();
    // A negative amount in row 2 and an out-of-range card in row 3.
    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[3].1 = i64s(&[2500, -1, 3]);
    let path = write_parquet(&dir, "negative.parquet", cols);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("amount_cents"),
    );

    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[1].1 = i64s(&[10, 10, -11]);
    let path = write_parquet(&dir, "negative_card.parquet", cols);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(3),
        Some("card_id"),
    );

    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[2].1 = i64s(&[100, 1 << 32, 102]);
    let path = write_parquet(&dir, "big_merchant.parquet", cols);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("merchant_id"),
    );

    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols[4].1 = Arc::new(StringArray::from(vec![Some("US"), None, Some("FR")]));
    let path = write_parquet(&dir, "null_country.parquet", cols);
    assert_names(
        &error_of(&FraudAlerts, &path),
        &path,
        Some(2),
        Some("country"),
    );

    let mut cols = txn_columns(i64s(&TXN_TIMES));
    cols.remove(4);
    let path = write_parquet(&dir, "no_country.parquet", cols);
    assert_names(&error_of(&FraudAlerts, &path), &path, None, Some("country"));
}

#[test]
fn an_empty_parquet_file_is_rejected() {
    let dir = TempDir::new().unwrap();
    let cols = vec![
        ("user_id", u64s(&[])),
        ("page", strs(&[])),
        ("event_time", i64s(&[])),
    ];
    let path = write_parquet(&dir, "empty.parquet", cols);
    let msg = error_of(&Sessionization, &path);
    assert_names(&msg, &path, None, None);
    assert!(msg.contains("no data rows"), "{msg}");
}

#[test]
fn a_garbage_parquet_file_is_rejected() {
    let dir = TempDir::new().unwrap();
    let good = write_parquet(&dir, "good.parquet", txn_columns(i64s(&TXN_TIMES)));
    let bytes = fs::read(&good).unwrap();
    let mut noise: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut framed = b"PAR1".to_vec();
    framed.extend(&noise);
    framed.extend(200u32.to_le_bytes());
    framed.extend(b"PAR1");
    let mut corrupt = bytes.clone();
    let len = corrupt.len();
    for b in &mut corrupt[8..len / 2] {
        *b = !*b;
    }
    let mut bad_footer = bytes.clone();
    for b in &mut bad_footer[len - 60..len - 8] {
        *b ^= 0x5a;
    }
    noise.truncate(100);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("text.parquet", b"txn_id,card_id\n1,2\n".to_vec()),
        ("empty.parquet", Vec::new()),
        ("noise.parquet", noise),
        ("framed.parquet", framed),
        ("truncated.parquet", bytes[..len / 2].to_vec()),
        ("corrupt_pages.parquet", corrupt),
        ("bad_footer.parquet", bad_footer),
    ];
    for (name, content) in cases {
        let path = write_bytes(&dir, name, &content);
        assert_names(&error_of(&FraudAlerts, &path), &path, None, None);
    }
}

// ------------------------------------------------------ same data, same read

/// Reads `a` and `b` as workload `W` and asserts identical datasets.
fn assert_same_read<W: Workload>(workload: &W, a: &Path, b: &Path)
where
    W::Event: PartialEq,
{
    let x = workload.read_events(a).unwrap_or_else(|e| panic!("{e}"));
    let y = workload.read_events(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(x.events, y.events, "{} vs {}", a.display(), b.display());
    assert_eq!(x.arrival, y.arrival);
    assert_eq!(x.dict.values(), y.dict.values());
}

#[test]
fn transactions_read_the_same_from_csv_and_parquet() {
    let dir = TempDir::new().unwrap();
    let mut lines = vec![TXN_HEADER];
    lines.extend(TXN_ROWS);
    let csv = write_lines(&dir, "t.csv", &lines);
    let int_times = write_parquet(&dir, "t_int.parquet", txn_columns(i64s(&TXN_TIMES)));
    let ts_times = write_parquet(&dir, "t_ts.parquet", txn_columns(millis(&TXN_TIMES)));
    assert_same_read(&FraudAlerts, &csv, &int_times);
    assert_same_read(&FraudAlerts, &csv, &ts_times);
    let ds = FraudAlerts.read_events(&csv).unwrap();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds.events[2].country, *b"FR");
    // Arrival of a file is the running maximum of event time.
    assert_eq!(ds.arrival, vec![TXN_TIMES[0], TXN_TIMES[1], TXN_TIMES[1]]);
}

#[test]
fn orders_read_the_same_from_csv_and_parquet() {
    let dir = TempDir::new().unwrap();
    let mut lines = vec![ORDER_HEADER];
    lines.extend(ORDER_ROWS);
    let csv = write_lines(&dir, "o.csv", &lines);
    let times = [1_767_225_599_999, 1_767_225_600_020, 1_767_225_600_010];
    let cols = |t: ArrayRef| {
        vec![
            ("order_id", u64s(&[1, 2, 3])),
            // Narrower or signed integer types are accepted when in range.
            (
                "store_id",
                Arc::new(Int32Array::from(vec![3, 2, 2])) as ArrayRef,
            ),
            ("product_id", u32s(&[4, 3, 4])),
            ("category", strs(&["toys", "grocery", "toys"])),
            ("quantity", u32s(&[1, 2, 5])),
            ("unit_price_cents", i64s(&[100, 500, 100])),
            ("event_time", t),
        ]
    };
    let int_times = write_parquet(&dir, "o_int.parquet", cols(i64s(&times)));
    let ts_times = write_parquet(&dir, "o_ts.parquet", cols(millis(&times)));
    assert_same_read(&DailyReport, &csv, &int_times);
    assert_same_read(&DailyReport, &csv, &ts_times);
    let ds = DailyReport.read_events(&csv).unwrap();
    // Category ids follow text order: grocery < toys.
    assert_eq!(ds.dict.values(), ["grocery", "toys"]);
    assert_eq!(ds.events[0].category, 1);
}

#[test]
fn clicks_read_the_same_from_csv_and_parquet() {
    let dir = TempDir::new().unwrap();
    let mut lines = vec![CLICK_HEADER];
    lines.extend(CLICK_ROWS);
    let csv = write_lines(&dir, "c.csv", &lines);
    let times = [1_767_226_466_975, 1_767_226_714_310, 1_767_226_000_000];
    let cols = |t: ArrayRef| {
        vec![
            // Extra columns are ignored, in any position.
            ("session_hint", strs(&["a", "b", "c"])),
            ("user_id", u64s(&[60, 60, 7])),
            ("page", strs(&["/cart", "/help", "/cart"])),
            ("event_time", t),
        ]
    };
    let int_times = write_parquet(&dir, "c_int.parquet", cols(i64s(&times)));
    let ts_times = write_parquet(&dir, "c_ts.parquet", cols(millis(&times)));
    assert_same_read(&Sessionization, &csv, &int_times);
    assert_same_read(&Sessionization, &csv, &ts_times);
}

#[test]
fn csv_dialect_details_do_not_change_the_data() {
    let dir = TempDir::new().unwrap();
    let mut lines = vec![CLICK_HEADER];
    lines.extend(CLICK_ROWS);
    let plain = write_lines(&dir, "plain.csv", &lines);
    // Windows line ends, a byte-order mark, columns reordered, spaces
    // around fields, no final newline, an upper-case extension.
    let crlf = write_bytes(&dir, "crlf.csv", lines.join("\r\n").as_bytes());
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(lines.join("\n").as_bytes());
    let bom = write_bytes(&dir, "bom.csv", &bom);
    let reordered = write_lines(
        &dir,
        "reordered.CSV",
        &[
            "event_time, page ,user_id",
            "1767226466975,/cart,60",
            "1767226714310, /help,60",
            "1767226000000,/cart, 7",
        ],
    );
    for other in [&crlf, &bom, &reordered] {
        assert_same_read(&Sessionization, &plain, other);
    }
}

#[test]
fn no_single_corrupted_byte_of_a_parquet_file_panics() {
    // Every byte of a small valid file, in turn, replaced: the reader must
    // return (Ok when the byte did not matter, else an error), never panic.
    let dir = TempDir::new().unwrap();
    let good = write_parquet(&dir, "good.parquet", txn_columns(i64s(&TXN_TIMES)));
    let bytes = fs::read(&good).unwrap();
    let path = dir.path().join("flipped.parquet");
    for i in 0..bytes.len() {
        // Alternate a whole-byte and a low-bit flip (both find decoder panics).
        let mut bad = bytes.clone();
        bad[i] ^= if i % 2 == 0 { 0xff } else { 0x01 };
        fs::write(&path, &bad).unwrap();
        if let Err(e) = FraudAlerts.read_events(&path) {
            assert_names(&e.to_string(), &path, None, None);
        }
    }
}
