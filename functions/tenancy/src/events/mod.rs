//! Incoming requests and outgoing announcements on Amazon EventBridge.

pub mod contract;
mod inbound;
mod outbound;

pub use contract::{EventContract, Origin, RequestKind, SbtGeneration};
pub use inbound::{
    EnvelopeError, InboundEvent, OnboardRequest, Rejection, identify, onboard_request, parse_event,
};
pub use outbound::{FailureNotice, OutboundEvent, provisioned, provisioning_failed};
