//! DynamoDB adapter of the tenant registry.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{classify, unexpected};
use crate::domain::TenantRecord;
use crate::error::{AwsError, ErrorKind};
use crate::ports::TenantRegistry;

/// Partition key attribute of the registry table; `template.yaml` declares the same.
pub const TENANT_KEY_ATTRIBUTE: &str = "tenantId";

/// The tenant registry in one DynamoDB table keyed by `tenantId`.
#[derive(Debug, Clone)]
pub struct DynamoRegistry {
    client: Client,
    table_name: String,
}

impl DynamoRegistry {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }

    /// Reads every item, following all pages of the scan.
    pub async fn scan_all(&self) -> Result<Vec<TenantRecord>, AwsError> {
        const OPERATION: &str = "Scan";
        let mut pages = self
            .client
            .scan()
            .table_name(&self.table_name)
            .consistent_read(true)
            .into_paginator()
            .send();
        let mut records = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    aws_sdk_dynamodb::operation::scan::ScanError::ProvisionedThroughputExceededException(_)
                    | aws_sdk_dynamodb::operation::scan::ScanError::RequestLimitExceeded(_) => {
                        Some(ErrorKind::Throttled)
                    }
                    aws_sdk_dynamodb::operation::scan::ScanError::InternalServerError(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                })
            })?;
            for item in page.items() {
                records.push(serde_dynamo::from_item(item.clone()).map_err(|error| {
                    unexpected(OPERATION, format!("registry item does not parse: {error}"))
                })?);
            }
        }
        Ok(records)
    }

    async fn put(&self, record: &TenantRecord, condition: Condition) -> Result<(), AwsError> {
        const OPERATION: &str = "PutItem";
        let item = serde_dynamo::to_item(record).map_err(|error| {
            unexpected(
                OPERATION,
                format!("registry item does not serialise: {error}"),
            )
        })?;
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item));
        let conflict_kind = match condition {
            Condition::Absent => {
                request = request
                    .condition_expression("attribute_not_exists(#key)")
                    .expression_attribute_names("#key", TENANT_KEY_ATTRIBUTE);
                ErrorKind::AlreadyExists
            }
            Condition::Version(expected) => {
                request = request
                    .condition_expression("#version = :expected")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(
                        ":expected",
                        AttributeValue::N(expected.to_string()),
                    );
                ErrorKind::ConcurrentUpdate
            }
        };
        request.send().await.map_err(|error| {
            classify(OPERATION, error, |e| match e {
                PutItemError::ConditionalCheckFailedException(_) => Some(conflict_kind),
                PutItemError::TransactionConflictException(_) => Some(ErrorKind::ConcurrentUpdate),
                PutItemError::ProvisionedThroughputExceededException(_)
                | PutItemError::RequestLimitExceeded(_) => Some(ErrorKind::Throttled),
                PutItemError::InternalServerError(_) => Some(ErrorKind::ServiceUnavailable),
                PutItemError::ResourceNotFoundException(_) => Some(ErrorKind::Invalid),
                _ => None,
            })
        })?;
        Ok(())
    }
}

enum Condition {
    Absent,
    Version(u64),
}

impl TenantRegistry for DynamoRegistry {
    async fn get(&self, tenant_id: &str) -> Result<Option<TenantRecord>, AwsError> {
        const OPERATION: &str = "GetItem";
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key(
                TENANT_KEY_ATTRIBUTE,
                AttributeValue::S(tenant_id.to_owned()),
            )
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    GetItemError::ProvisionedThroughputExceededException(_)
                    | GetItemError::RequestLimitExceeded(_) => Some(ErrorKind::Throttled),
                    GetItemError::InternalServerError(_) => Some(ErrorKind::ServiceUnavailable),
                    GetItemError::ResourceNotFoundException(_) => Some(ErrorKind::Invalid),
                    _ => None,
                })
            })?;
        output
            .item
            .map(|item| {
                serde_dynamo::from_item(item).map_err(|error| {
                    unexpected(
                        OPERATION,
                        format!("registry item of {tenant_id} does not parse: {error}"),
                    )
                })
            })
            .transpose()
    }

    async fn insert(&self, record: &TenantRecord) -> Result<(), AwsError> {
        self.put(record, Condition::Absent).await
    }

    async fn replace(&self, record: &TenantRecord, expected_version: u64) -> Result<(), AwsError> {
        self.put(record, Condition::Version(expected_version)).await
    }
}
