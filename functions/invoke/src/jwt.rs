//! Verification of the caller's JWT and extraction of the tenant id claim.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::Value;

/// Token verifier built from the function's configuration.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
    tenant_claim: String,
}

/// Reason a request's token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("missing bearer token in the Authorization header")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("the token has no string claim {0}")]
    NoTenantClaim(String),
}

impl JwtVerifier {
    /// Verifies HS256 tokens with a shared secret.
    pub fn hs256(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        tenant_claim: &str,
    ) -> Result<Self, TokenError> {
        let key =
            DecodingKey::from_secret(secret).map_err(|e| TokenError::Invalid(e.to_string()))?;
        Ok(Self::new(
            key,
            Algorithm::HS256,
            issuer,
            audience,
            tenant_claim,
        ))
    }

    /// Verifies RS256 tokens with the identity provider's public key (PEM).
    pub fn rs256(
        public_key_pem: &[u8],
        issuer: &str,
        audience: &str,
        tenant_claim: &str,
    ) -> Result<Self, TokenError> {
        let key = DecodingKey::from_rsa_pem(public_key_pem)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        Ok(Self::new(
            key,
            Algorithm::RS256,
            issuer,
            audience,
            tenant_claim,
        ))
    }

    fn new(
        key: DecodingKey,
        algorithm: Algorithm,
        issuer: &str,
        audience: &str,
        tenant_claim: &str,
    ) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        Self {
            key,
            validation,
            tenant_claim: tenant_claim.to_owned(),
        }
    }

    /// Verifies the `Authorization: Bearer ...` value and returns the tenant id claim.
    pub fn tenant_id(&self, authorization: Option<&str>) -> Result<String, TokenError> {
        let token = authorization
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(TokenError::Missing)?;
        let data = decode::<Value>(token, &self.key, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        data.claims
            .get(&self.tenant_claim)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| TokenError::NoTenantClaim(self.tenant_claim.clone()))
    }
}
