//! The event contract: which sources and detail-types the functions accept, and
//! what they publish. `template.yaml` declares the same values in its rule
//! patterns, and a test checks the two agree.

/// Detail-type of the project's own signup event.
pub const TENANT_SIGNED_UP: &str = "TenantSignedUp";
/// Detail-type of the project's own offboarding event.
pub const TENANT_OFFBOARDING_REQUESTED: &str = "TenantOffboardingRequested";

/// Detail-types the onboarding function publishes for the project's own events.
pub const TENANT_PROVISIONED: &str = "TenantProvisioned";
pub const TENANT_PROVISIONING_FAILED: &str = "TenantProvisioningFailed";
/// Detail-types the offboarding function publishes for the project's own events.
pub const TENANT_DEPROVISIONED: &str = "TenantDeprovisioned";
pub const TENANT_DEPROVISIONING_FAILED: &str = "TenantDeprovisioningFailed";

pub const DEFAULT_TENANT_EVENT_SOURCE: &str = "saas.tenants";
pub const DEFAULT_OUTPUT_EVENT_SOURCE: &str = "tenant-profiles";
/// Control-plane sources of the AWS SaaS Builder Toolkit (sbt-aws): up to
/// v0.8 `controlPlaneEventSource`, from v0.9.0 `sbt.control.plane`.
pub const DEFAULT_SBT_CONTROL_PLANE_SOURCES: [&str; 2] =
    ["controlPlaneEventSource", "sbt.control.plane"];

/// Generation of a SaaS Builder Toolkit event. From sbt-aws v0.9.0 every
/// detail-type carries the `sbt_aws_` prefix and the sources were renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbtGeneration {
    /// Up to v0.8: `onboardingRequest`, replies from `applicationPlaneEventSource`.
    Unprefixed,
    /// From v0.9.0: `sbt_aws_onboardingRequest`, replies from `sbt.application.plane`.
    Prefixed,
}

impl SbtGeneration {
    pub fn detail_type(self, name: &str) -> String {
        match self {
            Self::Unprefixed => name.to_owned(),
            Self::Prefixed => format!("sbt_aws_{name}"),
        }
    }

    /// Source of the application plane's replies, which the toolkit's control plane listens to.
    pub fn application_plane_source(self) -> &'static str {
        match self {
            Self::Unprefixed => "applicationPlaneEventSource",
            Self::Prefixed => "sbt.application.plane",
        }
    }

    fn from_detail_type(detail_type: &str, name: &str) -> Option<Self> {
        if detail_type == name {
            Some(Self::Unprefixed)
        } else if detail_type.strip_prefix("sbt_aws_") == Some(name) {
            Some(Self::Prefixed)
        } else {
            None
        }
    }
}

/// Who sent a request, which decides the shape of the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The project's own contract.
    Native,
    SaasBuilderToolkit(SbtGeneration),
}

/// Operation a request triggers: onboarding or offboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Onboard,
    Offboard,
}

/// The configured event sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContract {
    pub tenant_event_source: String,
    pub sbt_control_plane_sources: Vec<String>,
    pub output_event_source: String,
}

impl Default for EventContract {
    fn default() -> Self {
        Self {
            tenant_event_source: DEFAULT_TENANT_EVENT_SOURCE.to_owned(),
            sbt_control_plane_sources: DEFAULT_SBT_CONTROL_PLANE_SOURCES
                .map(str::to_owned)
                .to_vec(),
            output_event_source: DEFAULT_OUTPUT_EVENT_SOURCE.to_owned(),
        }
    }
}

impl EventContract {
    /// Decides what an event requests, from its source and detail-type (both case-sensitive,
    /// as EventBridge matches them).
    pub fn classify(&self, source: &str, detail_type: &str) -> Option<(RequestKind, Origin)> {
        if source == self.tenant_event_source {
            return match detail_type {
                TENANT_SIGNED_UP => Some((RequestKind::Onboard, Origin::Native)),
                TENANT_OFFBOARDING_REQUESTED => Some((RequestKind::Offboard, Origin::Native)),
                _ => None,
            };
        }
        if self.sbt_control_plane_sources.iter().any(|s| s == source) {
            if let Some(generation) =
                SbtGeneration::from_detail_type(detail_type, "onboardingRequest")
            {
                return Some((RequestKind::Onboard, Origin::SaasBuilderToolkit(generation)));
            }
            if let Some(generation) =
                SbtGeneration::from_detail_type(detail_type, "offboardingRequest")
            {
                return Some((
                    RequestKind::Offboard,
                    Origin::SaasBuilderToolkit(generation),
                ));
            }
        }
        None
    }

    /// Lists the (source, detail-type) pairs that request `kind`, for messages and rule patterns.
    pub fn accepted(&self, kind: RequestKind) -> Vec<(String, String)> {
        let (native, sbt) = match kind {
            RequestKind::Onboard => (TENANT_SIGNED_UP, "onboardingRequest"),
            RequestKind::Offboard => (TENANT_OFFBOARDING_REQUESTED, "offboardingRequest"),
        };
        let mut pairs = vec![(self.tenant_event_source.clone(), native.to_owned())];
        for source in &self.sbt_control_plane_sources {
            for generation in [SbtGeneration::Unprefixed, SbtGeneration::Prefixed] {
                pairs.push((source.clone(), generation.detail_type(sbt)));
            }
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_native_and_both_sbt_generations() {
        let contract = EventContract::default();

        assert_eq!(
            contract.classify("saas.tenants", "TenantSignedUp"),
            Some((RequestKind::Onboard, Origin::Native))
        );
        assert_eq!(
            contract.classify("controlPlaneEventSource", "onboardingRequest"),
            Some((
                RequestKind::Onboard,
                Origin::SaasBuilderToolkit(SbtGeneration::Unprefixed)
            ))
        );
        assert_eq!(
            contract.classify("sbt.control.plane", "sbt_aws_offboardingRequest"),
            Some((
                RequestKind::Offboard,
                Origin::SaasBuilderToolkit(SbtGeneration::Prefixed)
            ))
        );
    }

    #[test]
    fn rejects_near_misses() {
        let contract = EventContract::default();

        for (source, detail_type) in [
            ("saas.tenants", "tenantSignedUp"),
            ("saas.tenant", "TenantSignedUp"),
            ("saas.tenants", "onboardingRequest"),
            ("sbt.control.plane", "sbt_aws_OnboardingRequest"),
            ("sbt.application.plane", "sbt_aws_onboardingRequest"),
        ] {
            assert_eq!(
                contract.classify(source, detail_type),
                None,
                "{source} {detail_type}"
            );
        }
    }
}
