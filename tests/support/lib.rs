//! Test harness for the local AWS stack: moto for DynamoDB, IAM, STS,
//! EventBridge, SQS and CloudWatch, plus the project's Bedrock emulator, and
//! a Cost Explorer stub.

pub mod cost_explorer;
pub mod events;
pub mod iam;
pub mod lambda;
pub mod moto;
pub mod runtime_api;
mod stack;
pub mod template;

use std::path::PathBuf;

pub use stack::{Handler, LocalStack, OffHandler, sdk_config};

pub const ACCOUNT_ID: &str = "111122223333";
pub const REGION: &str = "us-east-1";

/// Returns the path of a repository file, found from this crate's manifest directory.
pub fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}
