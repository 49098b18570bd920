//! The canonical form a certificate is signed in, and the exported document.
//!
//! A certificate's content is a JSON object whose values are strings, nulls
//! and objects (no numbers):
//!
//! ```json
//! {"fields":{"<name>":"<value>",…},
//!  "holder":{"id":"<统一社会信用代码 or 公民身份号码>","kind":"ENTERPRISE|PERSON","name":"…"},
//!  "identifier":"1.2.156.3005.2.…","issueDate":"YYYY-MM-DD",
//!  "issuer":{"name":"…","uscc":"…"},"number":"<证照编号>",
//!  "type":{"code":"<21 characters>","name":"…"},
//!  "validFrom":"YYYY-MM-DD","validUntil":"YYYY-MM-DD"|null,"version":"001"}
//! ```
//!
//! Field values are strings whatever the field's type (dates `YYYY-MM-DD`,
//! numbers in decimal, booleans `true`/`false`). The signed bytes are the
//! UTF-8 bytes of the object serialised by the JSON Canonicalization Scheme
//! (RFC 8785): members sorted by their names' UTF-16 code units, no
//! whitespace, strings escaped as ECMAScript's JSON.stringify does.
//!
//! The exported document (what a QR code carries) is
//! `{"certificate":{…content…},"signature":{"algorithm":"ED25519|SM2_SM3","keyId":"…","value":"<base64>"}}`;
//! anyone with the issuer's public key (see `trustedIssuers`) can verify it
//! without the hub: canonicalise `certificate`, verify `value` over it.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Value, json};

/// RFC 8785 (JCS) serialisation of a JSON value.
pub fn canonical(v: &Value) -> String {
    // serde_json writes only UTF-8, so the conversion cannot fail.
    String::from_utf8(canonical_bytes(v)).unwrap_or_default()
}

/// [`canonical`], as the bytes a seal is made over.
pub fn canonical_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write(v, &mut out);
    out
}

fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, (k, x)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                scalar(k, out);
                out.push(b':');
                write(x, out);
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(x, out);
            }
            out.push(b']');
        }
        other => scalar(other, out),
    }
}

/// A string, number, boolean or null as serde_json writes it: strings escaped
/// as ECMAScript's JSON.stringify does, which is what RFC 8785 asks.
fn scalar(v: &(impl serde::Serialize + ?Sized), out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail, and these values always serialise.
    let _ = serde_json::to_writer(out, v);
}

/// What a certificate says, as signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    /// 电子证照标识.
    pub identifier: String,
    /// Type code.
    pub type_code: String,
    /// Type name.
    pub type_name: String,
    /// 证照编号.
    pub number: String,
    /// Holder's code.
    pub holder_id: String,
    /// ENTERPRISE or PERSON.
    pub holder_kind: String,
    /// Holder's name.
    pub holder_name: String,
    /// Issuer's 统一社会信用代码.
    pub issuer_uscc: String,
    /// Issuer's name.
    pub issuer_name: String,
    /// Issue date.
    pub issue_date: String,
    /// First day valid.
    pub valid_from: String,
    /// Last day valid, if any.
    pub valid_until: Option<String>,
    /// Version, three digits.
    pub version: String,
    /// The type's fields, as strings.
    pub fields: BTreeMap<String, String>,
}

impl Content {
    /// The content as a JSON object.
    pub fn to_json(&self) -> Value {
        json!({
            "identifier": self.identifier,
            "type": { "code": self.type_code, "name": self.type_name },
            "number": self.number,
            "holder": { "id": self.holder_id, "kind": self.holder_kind, "name": self.holder_name },
            "issuer": { "uscc": self.issuer_uscc, "name": self.issuer_name },
            "issueDate": self.issue_date,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "version": self.version,
            "fields": self.fields,
        })
    }

    /// The bytes that are signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        canonical_bytes(&self.to_json())
    }

    /// Reads content from a presented document's `certificate` object;
    /// `Err` names what is missing.
    pub fn from_json(v: &Value) -> Result<Content, String> {
        let s = |path: &[&str]| -> Result<String, String> {
            let mut cur = v;
            for p in path {
                cur = cur
                    .get(p)
                    .ok_or_else(|| format!("certificate.{} is missing", path.join(".")))?;
            }
            cur.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("certificate.{} must be a string", path.join(".")))
        };
        let fields = match v.get("fields") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, x)| {
                    x.as_str()
                        .map(|x| (k.clone(), x.to_owned()))
                        .ok_or_else(|| format!("field {k} must be a string"))
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("certificate.fields must be an object".into()),
        };
        Ok(Content {
            identifier: s(&["identifier"])?,
            type_code: s(&["type", "code"])?,
            type_name: s(&["type", "name"])?,
            number: s(&["number"])?,
            holder_id: s(&["holder", "id"])?,
            holder_kind: s(&["holder", "kind"])?,
            holder_name: s(&["holder", "name"])?,
            issuer_uscc: s(&["issuer", "uscc"])?,
            issuer_name: s(&["issuer", "name"])?,
            issue_date: s(&["issueDate"])?,
            valid_from: s(&["validFrom"])?,
            valid_until: match v.get("validUntil") {
                None | Some(Value::Null) => None,
                Some(Value::String(d)) => Some(d.clone()),
                Some(_) => return Err("certificate.validUntil must be a date or null".into()),
            },
            version: s(&["version"])?,
            fields,
        })
    }
}

/// The signature part of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRef {
    /// ED25519 or SM2_SM3.
    pub algorithm: String,
    /// The key's id in the trusted-issuer registry.
    pub key_id: String,
    /// The signature bytes.
    pub value: Vec<u8>,
}

/// The exported document: content and signature.
pub fn document(content: &Content, sig: &SignatureRef) -> String {
    let doc = json!({
        "certificate": content.to_json(),
        "signature": {
            "algorithm": sig.algorithm,
            "keyId": sig.key_id,
            "value": base64::engine::general_purpose::STANDARD.encode(&sig.value),
        },
    });
    canonical(&doc)
}

/// A presented document, split into the exact certificate object presented
/// (whose canonical bytes are what the signature must cover) and the signature.
pub fn parse_document(text: &str) -> Result<(Value, SignatureRef), String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("the document is not JSON: {e}"))?;
    let Value::Object(mut obj) = doc else {
        return Err("the document must be a JSON object".into());
    };
    let cert = obj
        .remove("certificate")
        .filter(Value::is_object)
        .ok_or("the document has no certificate object")?;
    let sig = obj
        .get("signature")
        .and_then(Value::as_object)
        .ok_or("the document has no signature object")?;
    let field = |k: &str| {
        sig.get(k)
            .and_then(Value::as_str)
            .ok_or(format!("signature.{k} is missing"))
    };
    let value = base64::engine::general_purpose::STANDARD
        .decode(field("value")?)
        .map_err(|_| "signature.value is not base64".to_owned())?;
    Ok((
        cert,
        SignatureRef {
            algorithm: field("algorithm")?.to_owned(),
            key_id: field("keyId")?.to_owned(),
            value,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_sorts_members_and_drops_whitespace() {
        let v: Value =
            serde_json::from_str(r#"{ "b": "2", "a": {"z": null, "y": "名"}, "c\n": "\u0001" }"#)
                .unwrap();
        assert_eq!(
            canonical(&v),
            r#"{"a":{"y":"名","z":null},"b":"2","c\n":"\u0001"}"#
        );
    }

    #[test]
    fn rfc_8785_orders_by_utf16_code_units() {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB01 in UTF-16 though after it in UTF-8.
        let v = json!({ "\u{fb01}": "1", "\u{1f600}": "2" });
        assert_eq!(canonical(&v), "{\"\u{1f600}\":\"2\",\"\u{fb01}\":\"1\"}");
    }

    #[test]
    fn a_document_round_trips() {
        let c = Content {
            identifier: "1.2.156.3005.2.x".into(),
            type_code: "t".into(),
            type_name: "营业执照".into(),
            number: "n".into(),
            holder_id: "h".into(),
            holder_kind: "ENTERPRISE".into(),
            holder_name: "某公司".into(),
            issuer_uscc: "u".into(),
            issuer_name: "i".into(),
            issue_date: "2026-01-01".into(),
            valid_from: "2026-01-01".into(),
            valid_until: None,
            version: "001".into(),
            fields: BTreeMap::from([("address".into(), "濮阳市".into())]),
        };
        let sig = SignatureRef {
            algorithm: "ED25519".into(),
            key_id: "k".into(),
            value: vec![1, 2, 3],
        };
        let (cert, parsed) = parse_document(&document(&c, &sig)).unwrap();
        assert_eq!(parsed, sig);
        assert_eq!(Content::from_json(&cert).unwrap(), c);
        assert_eq!(canonical(&cert).into_bytes(), c.signed_bytes());
    }
}
