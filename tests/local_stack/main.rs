//! Integration tests: the real SDK clients against moto and the Bedrock emulator.

mod fault_matrix;
mod lifecycle;
mod onboarding;
mod registry_schema;
mod tenant_isolation;
