//! Request checks, canned completion and token counts of the runtime
//! operation Converse.
//!
//! The completion is deterministic: its text names the foundation model that
//! served the request, and its token counts follow [`estimate_tokens`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Characters per token of the emulator's token estimate, about what
/// English text averages with the Claude and Nova tokenizers.
pub const CHARACTERS_PER_TOKEN: u64 = 4;

/// Maximum length of a `modelId`, from the Bedrock runtime service model.
const MAX_MODEL_ID_LENGTH: usize = 2048;

/// Converse request body. Members the emulator does not use, such as
/// `toolConfig`, are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConverseInput {
    messages: Option<Vec<MessageInput>>,
    system: Option<Vec<Map<String, Value>>>,
    inference_config: Option<InferenceConfigInput>,
}

#[derive(Debug, Deserialize)]
struct MessageInput {
    role: Option<String>,
    content: Option<Vec<Map<String, Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InferenceConfigInput {
    max_tokens: Option<i64>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    // Parsed so that a wrong JSON type is a SerializationException.
    #[allow(dead_code)]
    stop_sequences: Option<Vec<String>>,
}

/// The parts of a checked request that decide the completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prompt {
    /// Unicode scalar values in every `text` block of `system` and `messages`.
    pub(crate) text_characters: u64,
    /// `inferenceConfig.maxTokens`, if set.
    pub(crate) max_tokens: Option<u64>,
}

/// The emulated model's completion of a [`Prompt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Completion {
    pub(crate) text: String,
    pub(crate) stop_reason: &'static str,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
}

/// Returns the token estimate for `characters` characters of text: the
/// count divided by [`CHARACTERS_PER_TOKEN`], rounded up, and at least 1
/// because every model call reads and writes at least one token.
pub fn estimate_tokens(characters: u64) -> u64 {
    characters.div_ceil(CHARACTERS_PER_TOKEN).max(1)
}

/// Checks the length of a decoded `modelId`.
pub(crate) fn validate_model_id(model_id: &str) -> Result<(), ApiError> {
    let length = model_id.chars().count();
    if (1..=MAX_MODEL_ID_LENGTH).contains(&length) {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "1 validation error detected: Value at 'modelId' failed to satisfy constraint: Member must have length between 1 and {MAX_MODEL_ID_LENGTH}, not {length}"
    )))
}

/// Checks a Converse request and measures its text.
///
/// A request needs at least one message. The conversation starts with a
/// `user` message, roles alternate, and every message has content. Each
/// content block is a union with exactly one member.
pub(crate) fn check_request(input: ConverseInput) -> Result<Prompt, ApiError> {
    let messages = input.messages.unwrap_or_default();
    if messages.is_empty() {
        return Err(ApiError::validation(
            "The messages field is empty. Add at least one message, starting with the role 'user', and try again.",
        ));
    }

    let mut text_characters = 0;
    for (index, block) in input.system.iter().flatten().enumerate() {
        text_characters += block_text_length(block, &format!("system.{}", index + 1))?;
    }

    let mut previous_role: Option<&str> = None;
    for (index, message) in messages.iter().enumerate() {
        let member = format!("messages.{}", index + 1);
        let role = message
            .role
            .as_deref()
            .ok_or_else(|| missing_member(&format!("{member}.member.role")))?;
        check_role(role, &member, previous_role)?;
        previous_role = Some(role);

        let content = message
            .content
            .as_ref()
            .ok_or_else(|| missing_member(&format!("{member}.member.content")))?;
        if content.is_empty() {
            return Err(ApiError::validation(format!(
                "The content field in the Message object at {member} is empty. Add a ContentBlock object to the content field and try again."
            )));
        }
        for (block_index, block) in content.iter().enumerate() {
            let block_member = format!("{member}.member.content.{}", block_index + 1);
            text_characters += block_text_length(block, &block_member)?;
        }
    }

    let max_tokens = match input.inference_config {
        Some(config) => check_inference_config(&config)?,
        None => None,
    };
    Ok(Prompt {
        text_characters,
        max_tokens,
    })
}

/// Builds the completion of `prompt` by `model_id`.
///
/// The text is a fixed sentence that names the model. When it needs more
/// than `maxTokens` tokens, it is cut to `maxTokens * 4` characters and the
/// stop reason is `max_tokens`, as a real model stops mid-sentence.
pub(crate) fn complete(prompt: &Prompt, model_id: &str) -> Completion {
    let full_text = format!(
        "This is a canned completion from {model_id}, served by the Bedrock emulator. It is the same for every request to this model."
    );
    let full_tokens = estimate_tokens(character_count(&full_text));

    let (text, stop_reason, output_tokens) = match prompt.max_tokens {
        Some(max_tokens) if full_tokens > max_tokens => {
            let kept = max_tokens.saturating_mul(CHARACTERS_PER_TOKEN);
            let text = full_text
                .chars()
                .take(usize::try_from(kept).unwrap_or(usize::MAX))
                .collect();
            (text, "max_tokens", max_tokens)
        }
        _ => (full_text, "end_turn", full_tokens),
    };
    Completion {
        text,
        stop_reason,
        input_tokens: estimate_tokens(prompt.text_characters),
        output_tokens,
    }
}

/// Converse response body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConverseOutput {
    output: OutputUnion,
    stop_reason: &'static str,
    usage: TokenUsage,
    metrics: ConverseMetrics,
}

#[derive(Debug, Serialize)]
struct OutputUnion {
    message: OutputMessage,
}

#[derive(Debug, Serialize)]
struct OutputMessage {
    role: &'static str,
    content: Vec<TextBlock>,
}

#[derive(Debug, Serialize)]
struct TextBlock {
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenUsage {
    input_tokens: u64,
    output_tokens: u64,
    total_tokens: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConverseMetrics {
    latency_ms: u64,
}

impl ConverseOutput {
    /// Wraps `completion` in the response shape, with `latency_ms` as `metrics.latencyMs`.
    pub(crate) fn new(completion: Completion, latency_ms: u64) -> ConverseOutput {
        ConverseOutput {
            output: OutputUnion {
                message: OutputMessage {
                    role: "assistant",
                    content: vec![TextBlock {
                        text: completion.text,
                    }],
                },
            },
            stop_reason: completion.stop_reason,
            usage: TokenUsage {
                input_tokens: completion.input_tokens,
                output_tokens: completion.output_tokens,
                total_tokens: completion.input_tokens + completion.output_tokens,
            },
            metrics: ConverseMetrics { latency_ms },
        }
    }
}

fn character_count(text: &str) -> u64 {
    u64::try_from(text.chars().count()).unwrap_or(u64::MAX)
}

fn missing_member(member: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

fn check_role(role: &str, member: &str, previous_role: Option<&str>) -> Result<(), ApiError> {
    if !matches!(role, "user" | "assistant") {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{role}' at '{member}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]"
        )));
    }
    match previous_role {
        None if role != "user" => Err(ApiError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        )),
        Some(previous) if previous == role => Err(ApiError::validation(
            "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
        )),
        _ => Ok(()),
    }
}

/// Returns the length of a content block's `text` member, or 0 for the
/// other members (images, documents, tool results), which the emulator
/// does not count.
fn block_text_length(block: &Map<String, Value>, member: &str) -> Result<u64, ApiError> {
    if block.len() != 1 {
        return Err(ApiError::serialization(format!(
            "The content block at '{member}' is a union and must set exactly one member, but it sets {}",
            block.len()
        )));
    }
    match block.get("text") {
        None => Ok(0),
        Some(Value::String(text)) => Ok(character_count(text)),
        Some(_) => Err(ApiError::serialization(format!(
            "The member '{member}.text' must be a string"
        ))),
    }
}

/// Checks the ranges of `inferenceConfig` and returns `maxTokens`.
fn check_inference_config(config: &InferenceConfigInput) -> Result<Option<u64>, ApiError> {
    if let Some(temperature) = config.temperature {
        check_unit_range(temperature, "inferenceConfig.temperature")?;
    }
    if let Some(top_p) = config.top_p {
        check_unit_range(top_p, "inferenceConfig.topP")?;
    }
    let Some(max_tokens) = config.max_tokens else {
        return Ok(None);
    };
    u64::try_from(max_tokens)
        .ok()
        .filter(|max_tokens| *max_tokens >= 1)
        .map(Some)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{max_tokens}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
            ))
        })
}

fn check_unit_range(value: f64, member: &str) -> Result<(), ApiError> {
    if (0.0..=1.0).contains(&value) {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value between 0 and 1"
    )))
}

#[cfg(test)]
#[path = "converse_tests.rs"]
mod tests;
