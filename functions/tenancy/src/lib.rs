//! Per-tenant Amazon Bedrock application inference profiles: the domain, the
//! onboarding use case over small ports, their AWS adapters, and the Lambda glue.

pub mod aws;
pub mod catalog;
mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod failure;
pub mod handler;
pub mod onboarding;
pub mod ports;

use std::sync::Arc;

pub use config::{Config, ConfigError};

use crate::aws::{BedrockProfiles, DynamoRegistry, EventBridgePublisher, IamRoles};
use crate::handler::OnboardHandler;
use crate::onboarding::Onboarding;

/// The onboarding handler wired to the real AWS adapters.
pub type AwsOnboardHandler =
    OnboardHandler<DynamoRegistry, BedrockProfiles, IamRoles, EventBridgePublisher>;

/// Builds the SDK clients once (at cold start) and wires the onboarding handler.
pub async fn onboard_handler(config: Config) -> AwsOnboardHandler {
    let sdk = aws::load_sdk_config(config.retry).await;
    let registry = DynamoRegistry::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        config.table_name.clone(),
    );
    let profiles = BedrockProfiles::new(aws_sdk_bedrock::Client::new(&sdk));
    let roles = IamRoles::new(aws_sdk_iam::Client::new(&sdk));
    let events = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&sdk),
        config.event_bus_name.clone(),
    );
    OnboardHandler::new(
        Onboarding::new(registry, profiles, roles, Arc::new(config)),
        events,
    )
}
