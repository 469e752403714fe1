//! Parsing of incoming EventBridge events into validated requests.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde_json::Value;

use super::contract::{EventContract, Origin, RequestKind};
use crate::catalog::ModelCatalog;
use crate::domain::{InvalidValue, ModelKey, TenantId};

/// Fields every EventBridge envelope has, checked in this order so the first
/// missing one is named.
const ENVELOPE_FIELDS: [&str; 4] = ["detail-type", "source", "id", "detail"];

/// Maximum length of a tenant registration id accepted from the SaaS Builder Toolkit (it issues UUIDs).
const MAX_REGISTRATION_ID_CHARS: usize = 128;

/// Reason a payload was not handled at all. Nothing is created for any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error(
        "payload is not an EventBridge event: missing field `{0}`. A rule target with a custom Input, InputPath or InputTransformer removes the envelope; configure the target to pass the matched event unchanged"
    )]
    MissingEnvelope(&'static str),
    #[error("payload is not an EventBridge event: {0}")]
    Malformed(String),
    #[error(
        "event with source {event_source:?} and detail-type {detail_type:?} is not handled by this function; it accepts {accepted}"
    )]
    Unsupported {
        event_source: String,
        detail_type: String,
        accepted: String,
    },
}

/// An EventBridge event this function handles, with its detail not yet validated.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    pub id: String,
    pub source: String,
    pub detail_type: String,
    /// The envelope's `time` as RFC 3339, when present.
    pub time: Option<String>,
    pub origin: Origin,
    pub detail: Value,
}

/// Checks the envelope and that the event requests `expected`.
pub fn parse_event(
    payload: Value,
    contract: &EventContract,
    expected: RequestKind,
) -> Result<InboundEvent, EnvelopeError> {
    let Some(object) = payload.as_object() else {
        return Err(EnvelopeError::Malformed(format!(
            "expected a JSON object, found {}",
            json_type(&payload)
        )));
    };
    if let Some(missing) = ENVELOPE_FIELDS
        .into_iter()
        .find(|field| !object.contains_key(*field))
    {
        return Err(EnvelopeError::MissingEnvelope(missing));
    }
    check_envelope_types(object)?;
    let event: EventBridgeEvent<Value> = serde_json::from_value(payload)
        .map_err(|error| EnvelopeError::Malformed(error.to_string()))?;
    let id = event
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| EnvelopeError::Malformed("field `id` is empty".to_owned()))?;
    let origin = match contract.classify(&event.source, &event.detail_type) {
        Some((kind, origin)) if kind == expected => origin,
        _ => {
            let accepted = contract
                .accepted(expected)
                .into_iter()
                .map(|(source, detail_type)| format!("{source}/{detail_type}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(EnvelopeError::Unsupported {
                event_source: event.source,
                detail_type: event.detail_type,
                accepted,
            });
        }
    };
    Ok(InboundEvent {
        id,
        source: event.source,
        detail_type: event.detail_type,
        time: event.time.map(|time| time.to_rfc3339()),
        origin,
        detail: event.detail,
    })
}

/// Checks the type of each envelope field, so that a mistyped one is named
/// (serde's own message names only the type it expected). Values are left
/// out of the message: a misrouted payload may carry personal data.
fn check_envelope_types(object: &serde_json::Map<String, Value>) -> Result<(), EnvelopeError> {
    let mistyped = |field: &str, expected: &str| {
        Err(EnvelopeError::Malformed(format!(
            "field `{field}` must be {expected}"
        )))
    };
    for field in [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "region",
    ] {
        match object.get(field) {
            None | Some(Value::String(_)) => {}
            Some(_) => return mistyped(field, "a string"),
        }
    }
    match object.get("time") {
        None => {}
        Some(Value::String(time)) if is_rfc3339(time) => {}
        Some(_) => return mistyped("time", "an RFC 3339 date-time string"),
    }
    match object.get("resources") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => return mistyped("resources", "an array of strings"),
    }
    Ok(())
}

fn is_rfc3339(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

/// A validated onboarding request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardRequest {
    pub event_id: String,
    /// When EventBridge received the signup; a signup older than an
    /// offboarding of the same tenant is stale.
    pub event_time: Option<String>,
    pub tenant_id: TenantId,
    pub tier: String,
    pub models: Vec<ModelKey>,
    pub origin: Origin,
    pub tenant_registration_id: Option<String>,
}

/// A request whose detail broke a rule, with what could still be read for the failure reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub error: InvalidValue,
    pub tenant_id: Option<TenantId>,
    pub tenant_registration_id: Option<String>,
}

/// Validates an onboarding request's detail against the catalogue's tiers and models.
pub fn onboard_request(
    event: &InboundEvent,
    catalog: &ModelCatalog,
) -> Result<OnboardRequest, Rejection> {
    let (tenant_id, tenant_registration_id) = identify(event)?;
    let reject = |error: InvalidValue| Rejection {
        error,
        tenant_id: Some(tenant_id.clone()),
        tenant_registration_id: tenant_registration_id.clone(),
    };

    let tier = required_string(&event.detail, "tier").map_err(reject)?;
    let Some(granted) = catalog.models_for_tier(tier) else {
        let tiers: Vec<&str> = catalog.tiers().collect();
        return Err(reject(InvalidValue::new(
            "detail.tier",
            tier,
            format!("unknown tier; configured tiers are {}", tiers.join(", ")),
        )));
    };
    let models = match event.detail.get("models") {
        None | Some(Value::Null) => granted.to_vec(),
        Some(value) => requested_models(value, tier, granted).map_err(reject)?,
    };

    Ok(OnboardRequest {
        event_id: event.id.clone(),
        event_time: event.time.clone(),
        tenant_id,
        tier: tier.to_owned(),
        models,
        origin: event.origin,
        tenant_registration_id,
    })
}

/// A validated offboarding request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffboardRequest {
    pub event_id: String,
    pub event_time: Option<String>,
    pub tenant_id: TenantId,
    pub origin: Origin,
    pub tenant_registration_id: Option<String>,
}

/// Validates an offboarding request's detail.
pub fn offboard_request(event: &InboundEvent) -> Result<OffboardRequest, Rejection> {
    let (tenant_id, tenant_registration_id) = identify(event)?;
    Ok(OffboardRequest {
        event_id: event.id.clone(),
        event_time: event.time.clone(),
        tenant_id,
        origin: event.origin,
        tenant_registration_id,
    })
}

/// Reads the tenant id and, for the SaaS Builder Toolkit, the registration id.
pub fn identify(event: &InboundEvent) -> Result<(TenantId, Option<String>), Rejection> {
    let registration_id = match event.origin {
        Origin::Native => None,
        Origin::SaasBuilderToolkit(_) => Some(registration_id(&event.detail)),
    };
    let valid_registration_id = registration_id.clone().and_then(Result::ok);
    let tenant_id = required_string(&event.detail, "tenantId")
        .and_then(|raw| TenantId::parse(raw).map_err(|e| e.at("detail.tenantId")))
        .map_err(|error| Rejection {
            error,
            tenant_id: None,
            tenant_registration_id: valid_registration_id.clone(),
        })?;
    if let Some(Err(error)) = registration_id {
        return Err(Rejection {
            error,
            tenant_id: Some(tenant_id),
            tenant_registration_id: None,
        });
    }
    Ok((tenant_id, valid_registration_id))
}

fn registration_id(detail: &Value) -> Result<String, InvalidValue> {
    let raw = required_string(detail, "tenantRegistrationId")?;
    let valid = !raw.is_empty()
        && raw.chars().count() <= MAX_REGISTRATION_ID_CHARS
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    if !valid {
        return Err(InvalidValue::new(
            "detail.tenantRegistrationId",
            raw,
            "a registration id is 1 to 128 characters of ASCII letters, digits, - and _",
        ));
    }
    Ok(raw.to_owned())
}

fn requested_models(
    value: &Value,
    tier: &str,
    granted: &[ModelKey],
) -> Result<Vec<ModelKey>, InvalidValue> {
    let Value::Array(items) = value else {
        return Err(InvalidValue::new(
            "detail.models",
            &value.to_string(),
            format!(
                "expected an array of model keys, found {}",
                json_type(value)
            ),
        ));
    };
    if items.is_empty() {
        return Err(InvalidValue::new(
            "detail.models",
            "[]",
            "list at least one model, or leave the field out to get every model of the tier",
        ));
    }
    let mut models: Vec<ModelKey> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let path = format!("detail.models[{index}]");
        let Value::String(raw) = item else {
            return Err(InvalidValue::new(
                path,
                &item.to_string(),
                format!("expected a string, found {}", json_type(item)),
            ));
        };
        let key = ModelKey::parse(raw).map_err(|e| e.at(path.clone()))?;
        if !granted.contains(&key) {
            let granted: Vec<&str> = granted.iter().map(ModelKey::as_str).collect();
            return Err(InvalidValue::new(
                path,
                raw,
                format!(
                    "tier {tier} does not grant this model; it grants {}",
                    granted.join(", ")
                ),
            ));
        }
        if !models.contains(&key) {
            models.push(key);
        }
    }
    Ok(models)
}

/// Reads `detail.{name}` as a string, naming the path when it is absent or of another type.
pub(crate) fn required_string<'a>(detail: &'a Value, name: &str) -> Result<&'a str, InvalidValue> {
    let path = format!("detail.{name}");
    if !detail.is_object() {
        return Err(InvalidValue::new(
            "detail",
            &detail.to_string(),
            format!("expected a JSON object, found {}", json_type(detail)),
        ));
    }
    match detail.get(name) {
        None | Some(Value::Null) => Err(InvalidValue::missing(path)),
        Some(Value::String(value)) => Ok(value),
        Some(other) => Err(InvalidValue::new(
            path,
            &other.to_string(),
            format!("expected a string, found {}", json_type(other)),
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
