//! Multipart uploads of documents and spreadsheets, with size limits and content types
//! checked against the bytes themselves (a `.jpg` that is not a JPEG is refused).

use std::collections::HashMap;

use axum::extract::Multipart;
use bytes::Bytes;

use crate::error::AppError;

/// The largest single file accepted.
pub const MAX_FILE: usize = 10 << 20;
/// The largest upload request accepted (several files plus fields).
pub const MAX_REQUEST: usize = 40 << 20;

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    /// The client's file name.
    pub file_name: Option<String>,
    /// The content type, as sniffed from the bytes.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Bytes,
}

/// A whole multipart form.
#[derive(Debug, Default)]
pub struct Form {
    /// Text fields (the last value wins).
    pub fields: HashMap<String, String>,
    /// Files, in order.
    pub files: Vec<UploadedFile>,
}

impl Form {
    /// A text field, trimmed; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// A required text field.
    pub fn required(&self, name: &str) -> Result<String, AppError> {
        self.text(name).ok_or_else(|| AppError::required(name))
    }
}

/// What kinds of file a route takes.
#[derive(Debug, Clone, Copy)]
pub enum Accept {
    /// Photos and scans: JPEG, PNG or PDF.
    Documents,
    /// Spreadsheets: CSV or XLSX.
    Sheets,
}

/// Sniffs the content type from the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if !bytes.iter().take(4096).any(|b| *b == 0) {
        // Text: UTF-8 or a legacy Chinese encoding; the CSV reader decides.
        Some("text/csv")
    } else {
        None
    }
}

fn accepted(accept: Accept, content_type: &str) -> bool {
    match accept {
        Accept::Documents => matches!(content_type, "image/jpeg" | "image/png" | "application/pdf"),
        Accept::Sheets => content_type == "text/csv" || content_type.ends_with(".sheet"),
    }
}

/// Reads a whole multipart form, refusing oversized files and unaccepted content.
pub async fn read(mut multipart: Multipart, accept: Accept) -> Result<Form, AppError> {
    let mut form = Form::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge);
            }
            Err(_) => return Err(AppError::BadRequest("bad_multipart")),
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge);
            }
            Err(_) => return Err(AppError::BadRequest("bad_multipart")),
        };
        if file_name.is_none() {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::invalid(&name, "not_text", "该字段应为文本", "this field must be text")
            })?;
            form.fields.insert(name, text);
            continue;
        }
        if bytes.len() > MAX_FILE {
            return Err(AppError::invalid(
                &name,
                "file_too_large",
                format!("文件不能超过 {} MB", MAX_FILE >> 20),
                format!("the file must not exceed {} MB", MAX_FILE >> 20),
            ));
        }
        if bytes.is_empty() {
            return Err(AppError::invalid(&name, "file_empty", "文件为空", "the file is empty"));
        }
        let content_type =
            sniff(&bytes).filter(|ct| accepted(accept, ct)).ok_or_else(|| match accept {
                Accept::Documents => AppError::invalid(
                    &name,
                    "unsupported_file",
                    "仅支持 JPEG、PNG 图片或 PDF 文件",
                    "only JPEG or PNG images and PDF files are accepted",
                ),
                Accept::Sheets => AppError::invalid(
                    &name,
                    "unsupported_file",
                    "仅支持 CSV 或 XLSX 文件",
                    "only CSV or XLSX files are accepted",
                ),
            })?;
        form.files.push(UploadedFile { field: name, file_name, content_type, bytes });
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff("车牌号码,颜色\n".as_bytes()), Some("text/csv"));
        assert_eq!(sniff(&[0x00, 0xFF, 0xFE, 0x80]), None);
        assert_eq!(sniff(&[0xBA, 0xC5, 0xC5, 0xC6]), Some("text/csv"), "GBK text");
        assert!(!accepted(Accept::Documents, "text/csv"));
        assert!(accepted(
            Accept::Sheets,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ));
    }
}
