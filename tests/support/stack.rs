//! A local AWS stack for one test: its own Bedrock emulator, and its own
//! table, event bus, capture queue, boundary policy and role path on the
//! shared moto server, so tests run in parallel without seeing each other.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use bedrock_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::Value;
use tenancy::Config;
use tenancy::aws::{BedrockProfiles, DynamoRegistry, EventBridgePublisher, IamRoles};
use tenancy::domain::TenantRecord;
use tenancy::handler::{OffboardHandler, OnboardHandler};
use tenancy::offboarding::Offboarding;
use tenancy::onboarding::{Onboarding, StepHook};
use tenancy::ports::{ProfileProvisioner, TenantRegistry};

use crate::{ACCOUNT_ID, REGION, moto, repo_file};

/// Onboarding handler over the real AWS adapters, as the Lambda builds it.
pub type Handler = OnboardHandler<DynamoRegistry, BedrockProfiles, IamRoles, EventBridgePublisher>;
/// Offboarding handler over the real AWS adapters, as the Lambda builds it.
pub type OffHandler =
    OffboardHandler<DynamoRegistry, BedrockProfiles, IamRoles, EventBridgePublisher>;

/// Sources the capture rule forwards to the queue: everything the functions publish.
const PUBLISHED_SOURCES: [&str; 3] = [
    "tenant-profiles",
    "applicationPlaneEventSource",
    "sbt.application.plane",
];

pub struct LocalStack {
    pub emulator: RunningEmulator,
    pub sdk: SdkConfig,
    pub bedrock: aws_sdk_bedrock::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub iam: aws_sdk_iam::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// Unique per test; part of every resource name.
    pub suffix: String,
    pub table_name: String,
    pub bus_name: String,
    pub queue_url: String,
    pub role_path: String,
    pub boundary_policy_arn: String,
    pub trusted_principal_arn: String,
}

impl LocalStack {
    /// Starts an emulator and creates this test's resources on moto.
    pub async fn start() -> Self {
        let moto_url = moto::endpoint().to_owned();
        let emulator = bedrock_emulator::start(EmulatorConfig {
            account_id: ACCOUNT_ID.to_owned(),
            default_region: REGION.to_owned(),
            ..EmulatorConfig::default()
        })
        .await
        .expect("the Bedrock emulator starts on 127.0.0.1");
        let sdk = sdk_config(&moto_url).await;
        let bedrock = aws_sdk_bedrock::Client::from_conf(
            aws_sdk_bedrock::config::Builder::from(&sdk)
                .endpoint_url(emulator.endpoint_url())
                .build(),
        );
        let suffix = format!("{:08x}", fastrand::u32(..));

        let stack = Self {
            bedrock,
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            table_name: format!("tenants-{suffix}"),
            bus_name: format!("tenants-{suffix}"),
            queue_url: String::new(),
            role_path: format!("/tenants/{suffix}/"),
            boundary_policy_arn: format!(
                "arn:aws:iam::{ACCOUNT_ID}:policy/tenant-boundary-{suffix}"
            ),
            trusted_principal_arn: format!("arn:aws:iam::{ACCOUNT_ID}:role/saas-app-{suffix}"),
            suffix,
            emulator,
            sdk,
        };
        stack.create_table().await;
        stack.create_boundary_policy().await;
        let queue_url = stack.create_event_capture().await;
        Self { queue_url, ..stack }
    }

    /// Returns the environment the functions read, pointing at this stack.
    pub fn function_env(&self) -> HashMap<&'static str, String> {
        HashMap::from([
            ("AWS_REGION", REGION.to_owned()),
            ("ACCOUNT_ID", ACCOUNT_ID.to_owned()),
            ("TENANT_TABLE_NAME", self.table_name.clone()),
            ("EVENT_BUS_NAME", self.bus_name.clone()),
            ("TENANT_ROLE_PATH", self.role_path.clone()),
            (
                "TENANT_BOUNDARY_POLICY_ARN",
                self.boundary_policy_arn.clone(),
            ),
            (
                "TENANT_TRUSTED_PRINCIPAL_ARN",
                self.trusted_principal_arn.clone(),
            ),
            (
                "MODEL_CATALOG_FILE",
                repo_file("infra/model-catalog.json").display().to_string(),
            ),
            (
                "EXTRA_TAGS",
                r#"{"project": "tenant-profiles-tests"}"#.to_owned(),
            ),
            ("SDK_MAX_ATTEMPTS", "3".to_owned()),
            ("SDK_INITIAL_BACKOFF_MS", "10".to_owned()),
        ])
    }

    pub fn config(&self) -> Config {
        self.config_with(&[])
    }

    /// Returns the configuration with some variables replaced.
    pub fn config_with(&self, overrides: &[(&'static str, &str)]) -> Config {
        let mut env = self.function_env();
        for (name, value) in overrides {
            env.insert(name, (*value).to_owned());
        }
        Config::from_lookup(|name| env.get(name).cloned()).expect("the test configuration is valid")
    }

    pub fn handler(&self) -> Handler {
        self.handler_with(self.config())
    }

    /// The onboarding handler wired exactly as the Lambda wires it, with SDK
    /// retries as `config` sets them.
    pub fn handler_with(&self, config: Config) -> Handler {
        self.handler_parts(config, None)
    }

    /// The handler with a step hook that can stop it between steps.
    pub fn handler_parts(&self, config: Config, hook: Option<StepHook>) -> Handler {
        let aws = self.adapters(&config);
        let mut onboarding =
            Onboarding::new(aws.registry, aws.profiles, aws.roles, Arc::new(config));
        if let Some(hook) = hook {
            onboarding = onboarding.with_step_hook(hook);
        }
        OnboardHandler::new(onboarding, aws.events)
    }

    pub fn offboard_handler(&self) -> OffHandler {
        self.offboard_handler_parts(self.config(), None)
    }

    /// The offboarding handler wired as the Lambda wires it, with an optional step hook.
    pub fn offboard_handler_parts(&self, config: Config, hook: Option<StepHook>) -> OffHandler {
        let aws = self.adapters(&config);
        let mut offboarding =
            Offboarding::new(aws.registry, aws.profiles, aws.roles, Arc::new(config));
        if let Some(hook) = hook {
            offboarding = offboarding.with_step_hook(hook);
        }
        OffboardHandler::new(offboarding, aws.events)
    }

    /// Builds the AWS adapters as the Lambda builds them, with SDK retries as `config` sets them
    /// and Bedrock pointed at this test's emulator.
    pub fn adapters(&self, config: &Config) -> tenancy::AwsAdapters {
        let retry = RetryConfig::standard()
            .with_max_attempts(config.retry.max_attempts)
            .with_initial_backoff(config.retry.initial_backoff);
        let sdk = self.sdk.to_builder().retry_config(retry).build();
        let mut aws = tenancy::AwsAdapters::new(&sdk, config);
        aws.profiles = BedrockProfiles::new(aws_sdk_bedrock::Client::from_conf(
            aws_sdk_bedrock::config::Builder::from(&sdk)
                .endpoint_url(self.emulator.endpoint_url())
                .build(),
        ));
        aws
    }

    pub fn registry(&self) -> DynamoRegistry {
        DynamoRegistry::new(self.dynamodb.clone(), self.table_name.clone())
    }

    pub async fn registry_items(&self) -> Vec<TenantRecord> {
        self.registry()
            .scan_all()
            .await
            .expect("the registry table scans")
    }

    /// Application profiles in the emulator, each with its tags.
    pub async fn application_profiles(&self) -> Vec<(String, Vec<(String, String)>)> {
        let profiles = BedrockProfiles::new(self.bedrock.clone())
            .list_application_profiles()
            .await
            .expect("ListInferenceProfiles succeeds");
        let mut described = Vec::new();
        for profile in profiles {
            let tags = self
                .bedrock
                .list_tags_for_resource()
                .resource_arn(profile.arn.as_str())
                .send()
                .await
                .expect("ListTagsForResource succeeds")
                .tags()
                .iter()
                .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                .collect();
            described.push((profile.arn.as_str().to_owned(), tags));
        }
        described
    }

    /// Roles under this test's tenant path.
    pub async fn tenant_roles(&self) -> Vec<aws_sdk_iam::types::Role> {
        self.iam
            .list_roles()
            .path_prefix(&self.role_path)
            .send()
            .await
            .expect("ListRoles succeeds")
            .roles()
            .to_vec()
    }

    /// Reads the inline policy of a role, percent-decoded and parsed.
    pub async fn role_policy(&self, role_name: &str, policy_name: &str) -> Value {
        let document = self
            .iam
            .get_role_policy()
            .role_name(role_name)
            .policy_name(policy_name)
            .send()
            .await
            .expect("GetRolePolicy succeeds")
            .policy_document()
            .to_owned();
        let decoded = percent_encoding::percent_decode_str(&document)
            .decode_utf8()
            .expect("the policy is UTF-8");
        serde_json::from_str(&decoded).expect("the policy is JSON")
    }

    /// Events published on this test's bus, drained from the capture queue.
    pub async fn published_events(&self) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let output = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("ReceiveMessage succeeds");
            let messages = output.messages();
            if messages.is_empty() {
                return events;
            }
            for message in messages {
                let body = message.body().unwrap_or_default();
                events.push(serde_json::from_str(body).expect("the captured event is JSON"));
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("DeleteMessage succeeds");
                }
            }
        }
    }

    /// Reconcile's findings over this test's table, emulator and role path.
    pub async fn reconcile(&self) -> Vec<tenancy::reconcile::Finding> {
        let config = self.config();
        let aws = self.adapters(&config);
        let inventory = tenancy::reconcile::collect(
            &aws.registry,
            &aws.profiles,
            &aws.roles,
            &self.role_path,
            |_| {},
        )
        .await
        .expect("reconcile reads the stack");
        tenancy::reconcile::reconcile(&inventory)
    }

    /// Everything onboarding left for `tenant`, with generated ARNs, ids and
    /// names replaced by placeholders, so two runs for different tenants compare equal.
    pub async fn snapshot(&self, tenant: &str) -> Value {
        let item = self.registry().get(tenant).await.expect("GetItem succeeds");
        let mut replacements: Vec<(String, String)> = Vec::new();
        if let Some(item) = &item {
            for (model, profile) in &item.profiles {
                replacements.push((
                    profile.profile_arn.clone(),
                    format!("<profile-arn:{model}>"),
                ));
                replacements.push((
                    profile.profile_name.clone(),
                    format!("<profile-name:{model}>"),
                ));
                replacements.push((profile.profile_id.clone(), format!("<profile-id:{model}>")));
            }
            if let Some(role_arn) = &item.role_arn {
                replacements.push((role_arn.clone(), "<role-arn>".to_owned()));
            }
            replacements.push((item.role_name.clone(), "<role-name>".to_owned()));
        }
        replacements.push((self.role_path.clone(), "<role-path>".to_owned()));
        replacements.push((tenant.to_owned(), "<tenant>".to_owned()));

        let mut profiles = Vec::new();
        for (arn, tags) in self.application_profiles().await {
            if !tags
                .iter()
                .any(|(key, value)| key == "tenant-id" && value == tenant)
            {
                continue;
            }
            let description = self
                .bedrock
                .get_inference_profile()
                .inference_profile_identifier(&arn)
                .send()
                .await
                .expect("GetInferenceProfile succeeds");
            let models: Vec<&str> = description
                .models()
                .iter()
                .filter_map(|m| m.model_arn())
                .collect();
            profiles.push(serde_json::json!({
                "arn": arn,
                "name": description.inference_profile_name(),
                "models": models,
                "tags": tags,
            }));
        }
        let mut roles = Vec::new();
        for role in self.tenant_roles().await {
            let role_tags = self
                .iam
                .list_role_tags()
                .role_name(role.role_name())
                .send()
                .await
                .expect("ListRoleTags succeeds");
            if !role_tags
                .tags()
                .iter()
                .any(|tag| tag.key() == "tenant-id" && tag.value() == tenant)
            {
                continue;
            }
            let policy = self
                .role_policy(
                    role.role_name(),
                    tenancy::domain::policy::TENANT_POLICY_NAME,
                )
                .await;
            roles.push(serde_json::json!({
                "name": role.role_name(),
                "path": role.path(),
                "policy": policy,
            }));
        }
        let item = item.map(|mut item| {
            item.version = 0;
            item.created_at.clear();
            item.updated_at.clear();
            item.event_id.clear();
            serde_json::to_value(item).expect("the item serialises")
        });
        let mut text =
            serde_json::json!({"item": item, "profiles": profiles, "roles": roles}).to_string();
        replacements.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        for (from, to) in replacements {
            if !from.is_empty() {
                text = text.replace(&from, &to);
            }
        }
        let mut value: Value = serde_json::from_str(&text).expect("the snapshot is JSON");
        for list in ["profiles", "roles"] {
            if let Some(entries) = value[list].as_array_mut() {
                entries.sort_by_key(|entry| entry["name"].to_string());
            }
        }
        value
    }

    async fn create_table(&self) {
        let definition: Value = serde_json::from_str(
            &std::fs::read_to_string(repo_file("infra/registry-table.json")).expect("readable"),
        )
        .expect("infra/registry-table.json is JSON");
        let mut request = self
            .dynamodb
            .create_table()
            .table_name(&self.table_name)
            .billing_mode(BillingMode::PayPerRequest);
        for attribute in definition["AttributeDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute["AttributeName"].as_str().unwrap_or_default())
                    .attribute_type(ScalarAttributeType::from(
                        attribute["AttributeType"].as_str().unwrap_or_default(),
                    ))
                    .build()
                    .expect("attribute definition is complete"),
            );
        }
        for key in definition["KeySchema"].as_array().into_iter().flatten() {
            request = request.key_schema(
                KeySchemaElement::builder()
                    .attribute_name(key["AttributeName"].as_str().unwrap_or_default())
                    .key_type(KeyType::from(key["KeyType"].as_str().unwrap_or_default()))
                    .build()
                    .expect("key schema element is complete"),
            );
        }
        request.send().await.expect("CreateTable succeeds on moto");
    }

    async fn create_boundary_policy(&self) {
        let document = std::fs::read_to_string(repo_file("infra/iam/tenant-boundary-policy.json"))
            .expect("readable");
        self.iam
            .create_policy()
            .policy_name(format!("tenant-boundary-{}", self.suffix))
            .policy_document(document)
            .send()
            .await
            .expect("CreatePolicy succeeds on moto");
    }

    async fn create_event_capture(&self) -> String {
        let events = aws_sdk_eventbridge::Client::new(&self.sdk);
        events
            .create_event_bus()
            .name(&self.bus_name)
            .send()
            .await
            .expect("CreateEventBus succeeds on moto");
        let queue = self
            .sqs
            .create_queue()
            .queue_name(format!("published-{}", self.suffix))
            .send()
            .await
            .expect("CreateQueue succeeds on moto");
        let queue_url = queue.queue_url().unwrap_or_default().to_owned();
        let queue_arn = format!(
            "arn:aws:sqs:{REGION}:{ACCOUNT_ID}:published-{}",
            self.suffix
        );
        let pattern = serde_json::json!({"source": PUBLISHED_SOURCES});
        events
            .put_rule()
            .name(format!("capture-{}", self.suffix))
            .event_bus_name(&self.bus_name)
            .event_pattern(pattern.to_string())
            .send()
            .await
            .expect("PutRule succeeds on moto");
        events
            .put_targets()
            .rule(format!("capture-{}", self.suffix))
            .event_bus_name(&self.bus_name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("capture")
                    .arn(queue_arn)
                    .build()
                    .expect("target is complete"),
            )
            .send()
            .await
            .expect("PutTargets succeeds on moto");
        queue_url
    }
}

/// SDK configuration for moto: fixed test credentials and quick retries.
pub async fn sdk_config(endpoint_url: &str) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "local-stack",
        ))
        .endpoint_url(endpoint_url)
        .http_client(http_client)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .load()
        .await
}
