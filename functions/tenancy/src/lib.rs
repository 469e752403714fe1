//! Per-tenant Amazon Bedrock application inference profiles: the domain, the
//! onboarding use case over small ports, their AWS adapters, and the Lambda glue.

pub mod aws;
pub mod catalog;
pub mod cleanup;
mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
mod failure;
pub mod handler;
pub mod memory;
pub mod offboarding;
pub mod onboarding;
pub mod ports;
mod progress;
pub mod reconcile;

use std::sync::Arc;

pub use config::{Config, ConfigError};

use aws_config::SdkConfig;

use crate::aws::{BedrockProfiles, DynamoRegistry, EventBridgePublisher, IamRoles};
use crate::handler::{OffboardHandler, OnboardHandler};
use crate::offboarding::Offboarding;
use crate::onboarding::Onboarding;

/// The onboarding handler wired to the real AWS adapters.
pub type AwsOnboardHandler =
    OnboardHandler<DynamoRegistry, BedrockProfiles, IamRoles, EventBridgePublisher>;
/// The offboarding handler wired to the real AWS adapters.
pub type AwsOffboardHandler =
    OffboardHandler<DynamoRegistry, BedrockProfiles, IamRoles, EventBridgePublisher>;

/// The AWS adapters of every port, built from one SDK configuration.
pub struct AwsAdapters {
    pub registry: DynamoRegistry,
    pub profiles: BedrockProfiles,
    pub roles: IamRoles,
    pub events: EventBridgePublisher,
}

impl AwsAdapters {
    /// Builds the SDK clients; each honours `AWS_ENDPOINT_URL` and its
    /// service's `AWS_ENDPOINT_URL_<SERVICE>` through `sdk`.
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        Self {
            registry: DynamoRegistry::new(
                aws_sdk_dynamodb::Client::new(sdk),
                config.table_name.clone(),
            ),
            profiles: BedrockProfiles::new(aws_sdk_bedrock::Client::new(sdk)),
            roles: IamRoles::new(aws_sdk_iam::Client::new(sdk)),
            events: EventBridgePublisher::new(
                aws_sdk_eventbridge::Client::new(sdk),
                config.event_bus_name.clone(),
            ),
        }
    }
}

/// Builds the SDK clients once (at cold start) and wires the onboarding handler.
pub async fn onboard_handler(config: Config) -> AwsOnboardHandler {
    let sdk = aws::load_sdk_config(config.retry).await;
    let aws = AwsAdapters::new(&sdk, &config);
    let onboarding = Onboarding::new(aws.registry, aws.profiles, aws.roles, Arc::new(config));
    OnboardHandler::new(onboarding, aws.events)
}

/// Builds the SDK clients once (at cold start) and wires the offboarding handler.
pub async fn offboard_handler(config: Config) -> AwsOffboardHandler {
    let sdk = aws::load_sdk_config(config.retry).await;
    let aws = AwsAdapters::new(&sdk, &config);
    let offboarding = Offboarding::new(aws.registry, aws.profiles, aws.roles, Arc::new(config));
    OffboardHandler::new(offboarding, aws.events)
}
