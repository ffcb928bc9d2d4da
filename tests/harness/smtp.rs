//! The SMTP server: a mail sent with lettre lands in the server's Maildir.

use std::time::{Duration, Instant};

use gateledger_e2e::require_env;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[tokio::test]
async fn mail_sent_with_lettre_arrives_in_the_mailbox() {
    // Arrange
    let addr = require_env("GATELEDGER_TEST_SMTP");
    let maildir = require_env("GATELEDGER_TEST_MAILDIR");
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    let token = uuid::Uuid::now_v7().to_string();
    let message = Message::builder()
        .from("gateledger <reports@gateledger.test>".parse::<Mailbox>().unwrap())
        .to("环保专员 <officer@plant.test>".parse::<Mailbox>().unwrap())
        .subject("日报 harness")
        .body(format!("token {token}\n"))
        .unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port.parse().expect("port"))
        .build();

    // Act
    transport.send(message).await.expect("send");

    // Assert: the Mailbox handler writes each message as a file in <maildir>/new.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = std::fs::read_dir(format!("{maildir}/new"))
            .expect("read maildir")
            .filter_map(Result::ok)
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|m| m.contains(&token)));
        if found {
            break;
        }
        assert!(Instant::now() < deadline, "the mail with token {token} did not arrive");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
