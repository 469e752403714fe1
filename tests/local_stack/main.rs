//! Integration tests: the real SDK clients against moto and the Bedrock emulator.

mod event_routing;
mod fault_matrix;
mod function_permissions;
mod hostile_input;
mod lifecycle;
mod onboarding;
mod policy_lint;
mod registry_schema;
mod rule_contract;
mod tenant_isolation;
mod usage_cost;
mod usage_metrics;
