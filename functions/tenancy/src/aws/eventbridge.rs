//! EventBridge adapter: announcements on the configured bus.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::operation::put_events::PutEventsError;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::{classify, unexpected};
use crate::error::{AwsError, ErrorKind};
use crate::events::OutboundEvent;
use crate::ports::EventPublisher;

/// Publishes to one event bus.
#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus_name: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }
}

impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, event: &OutboundEvent) -> Result<(), AwsError> {
        const OPERATION: &str = "PutEvents";
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(event.detail.to_string())
            .build();
        let output = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    PutEventsError::InternalException(_) => Some(ErrorKind::ServiceUnavailable),
                    _ => None,
                })
            })?;
        // PutEvents answers 200 even when an entry fails; the entry carries the error.
        if output.failed_entry_count() > 0 {
            let reason = output
                .entries()
                .iter()
                .find_map(|entry| {
                    entry.error_code().map(|code| {
                        format!("{code}: {}", entry.error_message().unwrap_or_default())
                    })
                })
                .unwrap_or_else(|| "no error code given".to_owned());
            let mut error = unexpected(OPERATION, format!("the event was not accepted ({reason})"));
            // EventBridge reports throttling and internal failures per entry.
            if reason.starts_with("ThrottlingException") || reason.starts_with("InternalFailure") {
                error.kind = ErrorKind::Throttled;
            }
            return Err(error);
        }
        Ok(())
    }
}
