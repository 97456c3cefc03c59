"""The launch path of a pylti1p3 tool, for cowork's launch benchmark (benches/load.rs).

A minimal Flask app as pylti1p3 2.0.0 documents it: an OIDC login route with
FlaskOIDCLogin, and a launch route that validates the id_token with FlaskMessageLaunch
and renders a small page. State and nonce live in the Flask session cookie (pylti1p3's
default), so any gunicorn worker can take any step. The platform's JWKS is cached per
worker through Flask-Caching, as pylti1p3 documents with set_public_key_caching.

Settings come from the environment, set by benches/load.rs:
PEER_ISSUER, PEER_CLIENT_ID, PEER_DEPLOYMENT_ID, PEER_AUTH_URL, PEER_TOKEN_URL,
PEER_JWKS_URL and PEER_SECRET (the Flask session key).
"""

import html
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, request
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["PEER_SECRET"], CACHE_TYPE="SimpleCache")
cache = Cache(app)

ISSUER = os.environ["PEER_ISSUER"]
CLIENT_ID = os.environ["PEER_CLIENT_ID"]

tool_conf = ToolConfDict(
    {
        ISSUER: [
            {
                "default": True,
                "client_id": CLIENT_ID,
                "auth_login_url": os.environ["PEER_AUTH_URL"],
                "auth_token_url": os.environ["PEER_TOKEN_URL"],
                "key_set_url": os.environ["PEER_JWKS_URL"],
                "key_set": None,
                "deployment_ids": [os.environ["PEER_DEPLOYMENT_ID"]],
            }
        ]
    }
)
# The tool's own key signs service requests (grades, rosters), which a launch never makes,
# so a key made at start is enough.
tool_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
tool_conf.set_private_key(
    ISSUER,
    tool_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode(),
    client_id=CLIENT_ID,
)


@app.get("/healthz")
def healthz():
    return "ok"


@app.route("/lti/login", methods=["GET", "POST"])
def login():
    oidc_login = FlaskOIDCLogin(FlaskRequest(), tool_conf)
    target_link_uri = FlaskRequest().get_param("target_link_uri")
    return oidc_login.redirect(target_link_uri)


@app.post("/lti/launch")
def launch():
    message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)
    message_launch.set_public_key_caching(FlaskCacheDataStorage(cache), cache_lifetime=7200)
    claims = message_launch.get_launch_data()
    name = html.escape(claims.get("name", ""))
    context = claims.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
    title = html.escape(context.get("title", ""))
    return f"<!doctype html><title>{title}</title><h1>{title}</h1><p>Welcome, {name}.</p>"
