//! Outgoing mail through SMTP (lettre), or into `.eml` files when no SMTP server is
//! configured (a single-site install still shows password-reset links to its operator).

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{MailSettings, SmtpTls};

/// A mail to send.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// Files attached, as (file name, content type, bytes).
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// Sends mail.
#[derive(Debug, Clone)]
pub enum Mailer {
    /// A real SMTP server.
    Smtp {
        /// The pooled transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The sender.
        from: Mailbox,
    },
    /// `.eml` files in a directory.
    File {
        /// Where the files go.
        dir: PathBuf,
        /// The sender.
        from: Mailbox,
    },
}

impl Mailer {
    /// Builds the mailer the settings describe; `outbox` is used when no SMTP host is set.
    pub fn from_settings(settings: &MailSettings, outbox: PathBuf) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("invalid [mail] from: {}", settings.from))?;
        let Some(host) = &settings.smtp_host else {
            return Ok(Self::File { dir: outbox, from });
        };
        let mut builder = match settings.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        };
        let port = settings.smtp_port.unwrap_or(match settings.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        });
        builder = builder.port(port);
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder
                .credentials(Credentials::new(user.clone(), password.expose_secret().into()));
        }
        Ok(Self::Smtp { transport: builder.build(), from })
    }

    /// Whether mail really leaves the platform (SMTP) rather than landing in files.
    pub fn is_smtp(&self) -> bool {
        matches!(self, Self::Smtp { .. })
    }

    /// Sends `mail`.
    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        let from = match self {
            Self::Smtp { from, .. } | Self::File { from, .. } => from.clone(),
        };
        let message = build(from, mail)?;
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(message).await.context("SMTP delivery failed")?;
            }
            Self::File { dir, .. } => {
                tokio::fs::create_dir_all(dir).await?;
                let path = dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
                tokio::fs::write(&path, message.formatted()).await?;
                tracing::info!(mail.file = %path.display(), "no SMTP server configured: mail written to a file");
            }
        }
        Ok(())
    }
}

fn build(from: Mailbox, mail: &Mail) -> anyhow::Result<Message> {
    let mut builder = Message::builder().from(from).subject(&mail.subject);
    for to in &mail.to {
        builder = builder.to(to.parse().with_context(|| format!("invalid recipient {to}"))?);
    }
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone());
    if mail.attachments.is_empty() {
        return Ok(builder.singlepart(text)?);
    }
    let mut multipart = MultiPart::mixed().singlepart(text);
    for (name, content_type, bytes) in &mail.attachments {
        let content_type = ContentType::parse(content_type)
            .with_context(|| format!("invalid content type {content_type}"))?;
        multipart =
            multipart.singlepart(Attachment::new(name.clone()).body(bytes.clone(), content_type));
    }
    Ok(builder.multipart(multipart)?)
}
