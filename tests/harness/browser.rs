//! Chromium: a page served by `gateledger serve` loads and renders Chinese text.

use fantoccini::Locator;
use gateledger_e2e::browser::Browser;
use gateledger_e2e::process::spawn_platform;

#[tokio::test]
async fn home_page_of_gateledger_serve_loads_in_chromium() {
    // Arrange
    let data = tempfile::tempdir().unwrap();
    let (_platform, url) = spawn_platform(data.path(), &[]);
    let browser = Browser::start().await;

    // Act
    browser.client.goto(&format!("{url}/")).await.expect("goto");
    let heading = browser.client.find(Locator::Css("#product")).await.expect("heading");
    let text = heading.text().await.expect("text");
    let lang = browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("script");
    let shot = browser.screenshot("harness-home").await;

    // Assert
    assert_eq!(text, "gateledger 环保门禁电子台账系统");
    assert_eq!(lang, serde_json::json!("zh-CN"));
    assert!(std::fs::metadata(shot).unwrap().len() > 1_000, "an empty screenshot");
    browser.close().await;
}
