//! Integration tests: the real SDK clients against moto and the Bedrock emulator.

mod onboarding;
mod registry_schema;
