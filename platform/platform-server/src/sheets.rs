//! Reading and writing simple tables as CSV (UTF-8 with a byte-order mark, so Excel opens
//! Chinese correctly; GB18030 files saved by Excel on Chinese Windows are read too) and as
//! XLSX (the first worksheet).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};

use crate::registry::FieldIssue;

/// The largest number of data rows an import takes.
pub const MAX_ROWS: usize = 10_000;

fn unreadable(zh: &str, en: &str) -> FieldIssue {
    FieldIssue {
        field: "file".into(),
        code: "file_unreadable".into(),
        zh: zh.into(),
        en: en.into(),
    }
}

/// Reads the rows of a CSV or XLSX file (the header included), as text cells.
pub fn read(bytes: &[u8], xlsx: bool) -> Result<Vec<Vec<String>>, FieldIssue> {
    let rows = if xlsx { read_xlsx(bytes)? } else { read_csv(bytes)? };
    let rows: Vec<Vec<String>> =
        rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
    if rows.is_empty() {
        return Err(unreadable("文件中没有数据", "the file holds no data"));
    }
    if rows.len() > MAX_ROWS + 1 {
        return Err(FieldIssue {
            field: "file".into(),
            code: "too_many_rows".into(),
            zh: format!("一次最多导入 {MAX_ROWS} 行"),
            en: format!("at most {MAX_ROWS} rows per import"),
        });
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, FieldIssue> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(unreadable(
                    "文件编码无法识别（应为 UTF-8 或 GBK）",
                    "unknown text encoding (expected UTF-8 or GBK)",
                ));
            }
            decoded.into_owned()
        }
    };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            unreadable(&format!("CSV 格式错误：{e}"), &format!("the CSV is malformed: {e}"))
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

fn excel_date(serial: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(Duration::days(serial.floor() as i64))
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, FieldIssue> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| {
            unreadable(
                "无法读取 XLSX 文件，文件可能已损坏",
                "cannot read the XLSX file: it may be damaged",
            )
        })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("XLSX 文件中没有工作表", "the XLSX file has no worksheet"))?
        .map_err(|_| unreadable("无法读取工作表", "cannot read the worksheet"))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => {
                        if *b {
                            "是".into()
                        } else {
                            "否".into()
                        }
                    }
                    Data::DateTime(d) => excel_date(d.as_f64())
                        .map(|d| d.format("%Y%m%d").to_string())
                        .unwrap_or_default(),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(_) => String::new(),
                })
                .collect()
        })
        .collect())
}

/// An encoder to GB18030 (for tests that play Excel on Chinese Windows).
pub fn gb18030_encoder() -> impl FnMut(&str) -> Vec<u8> {
    |s: &str| encoding_rs::GB18030.encode(s).0.into_owned()
}

/// A CSV file: UTF-8 with a byte-order mark, CRLF line ends.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w =
            csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(header)?;
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// An XLSX file with one worksheet: a bold header row, text cells (so plate numbers and
/// codes are never turned into numbers or dates).
pub fn write_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 16)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string((r + 1) as u32, c as u16, v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_xlsx_round_trip_chinese_text() {
        let header = ["号牌号码", "排放阶段"];
        let rows = vec![
            vec!["晋A12345".to_owned(), "5".to_owned()],
            vec!["冀B6789挂".to_owned(), "6".to_owned()],
        ];
        let csv = write_csv(&header, &rows).unwrap();
        let back = read(&csv, false).unwrap();
        assert_eq!(back[0], vec!["号牌号码", "排放阶段"]);
        assert_eq!(back[1..], rows[..]);
        let xlsx = write_xlsx("台账", &header, &rows).unwrap();
        let back = read(&xlsx, true).unwrap();
        assert_eq!(back[1..], rows[..]);
    }

    #[test]
    fn gbk_csv_is_read_and_garbage_is_refused() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("号牌号码\n晋A12345\n");
        assert_eq!(read(&gbk, false).unwrap()[1], vec!["晋A12345"]);
        assert_eq!(read(b"PK\x03\x04garbage", true).unwrap_err().code, "file_unreadable");
        assert_eq!(read(b"\n\n", false).unwrap_err().code, "file_unreadable");
    }
}
