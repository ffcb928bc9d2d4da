//! The S3-compatible server: an object put and read back, bytes compared.

use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::primitives::ByteStream;
use gateledger_e2e::require_env;

#[tokio::test]
async fn object_put_to_s3_reads_back_byte_for_byte() {
    // Arrange
    let endpoint = require_env("GATELEDGER_TEST_S3_ENDPOINT");
    let access = require_env("GATELEDGER_TEST_S3_ACCESS_KEY");
    let secret = require_env("GATELEDGER_TEST_S3_SECRET_KEY");
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .force_path_style(true)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(access, secret, None, None, "gateledger-tests"))
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let bucket = format!("harness-{}", uuid::Uuid::now_v7().simple());
    client.create_bucket().bucket(&bucket).send().await.expect("create bucket");
    // 300 kB of non-repeating bytes, so a truncated or re-framed body cannot match.
    let body: Vec<u8> =
        (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();

    // Act
    client
        .put_object()
        .bucket(&bucket)
        .key("tenant/t1/evidence/photo.jpg")
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .expect("put object");
    let got = client
        .get_object()
        .bucket(&bucket)
        .key("tenant/t1/evidence/photo.jpg")
        .send()
        .await
        .expect("get object")
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes();

    // Assert
    assert_eq!(got.len(), body.len());
    assert!(got.as_ref() == body.as_slice(), "the bytes read back differ from the bytes sent");
}
