"""A minimal JSON-RPC client, as any external program would talk to Odoo."""

import json
import urllib.request

# What a refused credit check raises over RPC: a UserError, or its subclass that offers the
# release request to the web client.
REFUSALS = ("odoo.exceptions.UserError", "odoo.addons.customer_risk.exceptions.CreditCheckBlocked")


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")

    @property
    def refused(self):
        """A user error (a refusal the user can read), not a server failure."""
        return self.name in REFUSALS


class Rpc:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise RpcError({"message": f"login failed for {login}"})

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": 1,
        }
        request = urllib.request.Request(
            f"{self.url}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            body = json.loads(response.read())
        if body.get("error"):
            raise RpcError(body["error"])
        # Odoo leaves "result" out when the method returned None.
        return body.get("result")

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )
