//! A software passkey authenticator (ES256, "none" attestation, resident credential with
//! user verification) that answers the portal's WebAuthn options like a browser would.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::value::Value;
use p256::ecdsa::{signature::Signer, DerSignature, SigningKey};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("cbor");
    out
}

/// One credential on a software authenticator.
pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
    origin: String,
}

impl SoftPasskey {
    /// Answers registration options (the `publicKey` JSON the portal sends the browser).
    pub fn register(options_json: &str, origin: &str) -> (SoftPasskey, String) {
        let options: Json = serde_json::from_str(options_json).expect("options");
        assert_eq!(
            options["authenticatorSelection"]["residentKey"], "required",
            "the portal must ask for a discoverable credential"
        );
        assert_eq!(
            options["authenticatorSelection"]["userVerification"],
            "required"
        );
        let rp_id = options["rp"]["id"].as_str().expect("rp id").to_owned();
        let challenge = options["challenge"].as_str().expect("challenge");
        let user_handle = unb64(options["user"]["id"].as_str().expect("user id"));

        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let mut credential_id = vec![0_u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut credential_id);
        let point = key.verifying_key().to_encoded_point(false);
        let cose_key = Value::Map(vec![
            (Value::Integer(1.into()), Value::Integer(2.into())),
            (Value::Integer(3.into()), Value::Integer((-7).into())),
            (Value::Integer((-1).into()), Value::Integer(1.into())),
            (
                Value::Integer((-2).into()),
                Value::Bytes(point.x().expect("x").to_vec()),
            ),
            (
                Value::Integer((-3).into()),
                Value::Bytes(point.y().expect("y").to_vec()),
            ),
        ]);

        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(0x45); // user present, user verified, attested credential data
        auth_data.extend_from_slice(&0_u32.to_be_bytes());
        auth_data.extend_from_slice(&[0_u8; 16]); // AAGUID
        auth_data.extend_from_slice(
            &u16::try_from(credential_id.len())
                .expect("len")
                .to_be_bytes(),
        );
        auth_data.extend_from_slice(&credential_id);
        auth_data.extend_from_slice(&cbor(&cose_key));

        let attestation = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (Value::Text("authData".into()), Value::Bytes(auth_data)),
        ]);
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let response = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "attestationObject": b64(&cbor(&attestation)),
            },
            "extensions": {},
        });
        let passkey = SoftPasskey {
            key,
            credential_id,
            user_handle,
            counter: 0,
            origin: origin.to_owned(),
        };
        (passkey, response.to_string())
    }

    /// The same credential id and user handle with another key: its answers name this
    /// passkey but carry a signature the portal cannot verify.
    pub fn forged(&self) -> SoftPasskey {
        SoftPasskey {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            credential_id: self.credential_id.clone(),
            user_handle: self.user_handle.clone(),
            counter: self.counter,
            origin: self.origin.clone(),
        }
    }

    /// Answers sign-in options (`{"publicKey": …, "mediation": …}` as the portal sends).
    pub fn sign(&mut self, options_json: &str) -> String {
        let options: Json = serde_json::from_str(options_json).expect("options");
        let public_key = &options["publicKey"];
        let rp_id = public_key["rpId"].as_str().expect("rp id");
        let challenge = public_key["challenge"].as_str().expect("challenge");
        self.counter += 1;
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(0x05); // user present, user verified
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: DerSignature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(client_data.as_bytes()),
                "signature": b64(signature.as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
        .to_string()
    }
}
