"""IEC 61968-9 Annex E: the four enumerations an EndDeviceEventType/ControlType code is made of,
and the codes of the event and control domains the use cases touch.

A code is ``<EndDeviceType>.<EndDeviceDomain>.<EndDeviceSubdomain>.<EndDeviceEventOrAction>``,
each part a value of its enumeration. The enumerations below are the annex values (device types
and domains in full; subdomains and events or actions those the tables here use, and a few
neighbours). Every code in the tables is made of these values, and its meaning is what its parts
say: ``3.11.17.52`` is ElectricMeter / Firmware / Status / Replaced. A test checks that no code
uses a value outside the enumerations.
"""

from __future__ import annotations

# EndDeviceType (Annex E, Table E.1)
DEVICE_TYPES: dict[int, str] = {
    0: "not applicable",
    1: "DAP device",
    2: "DER device",
    3: "electric meter",
    4: "gas meter",
    5: "gateway",
    6: "DSP device",
    7: "PAN gateway",
    8: "transformer",
    10: "collector",
    11: "network router",
    12: "PAN device",
    13: "feeder",
    14: "generator",
    15: "in-premises display",
    16: "load control device",
    17: "PAN meter",
    18: "prepayment terminal",
    19: "programmable thermostat",
    20: "range extender",
    21: "regulator",
    22: "substation",
    23: "energy router",
    24: "water meter",
    25: "waste water meter",
    26: "communication device",
    58: "electric vehicle",
}

# EndDeviceDomain
DOMAINS: dict[int, str] = {
    0: "not applicable",
    1: "communication",
    2: "battery",
    3: "cartridge",
    4: "gas supply",
    5: "water supply",
    6: "installation",
    7: "configuration",
    8: "demand",
    9: "module firmware",
    10: "pairing",
    11: "firmware",
    12: "security",
    13: "video display",
    14: "mobile security",
    15: "load control",
    16: "load profile",
    17: "logs",
    18: "memory",
    19: "modem",
    20: "billing",
    21: "metrology",
    23: "network",
    26: "power",
    29: "pressure",
    31: "RCD switch",
    35: "temperature",
    36: "clock",
    37: "watchdog",
    38: "KYZ pulse counter",
    39: "associated device",
    40: "volume",
}

# EndDeviceSubdomain (the values the tables use, and neighbours)
SUBDOMAINS: dict[int, str] = {
    0: "not applicable",
    1: "access",
    9: "pricing",
    17: "status",
    22: "charge",
    29: "cover",
    31: "data",
    32: "security key",
    66: "magnetic switch",
    67: "measurement",
    72: "NVRAM",
    73: "window",
    74: "association",
    83: "program",
    85: "RAM",
    90: "registration",
    92: "ROM",
    93: "rotation",
    95: "schedule",
    100: "self-test",
    111: "test",
    112: "text message",
    114: "time",
    116: "time sync",
    124: "version",
    128: "door",
    148: "all events",
}

# EndDeviceEventOrAction (the values the tables use, and neighbours)
EVENTS_OR_ACTIONS: dict[int, str] = {
    0: "not applicable",
    4: "activated",
    5: "arm for closure",
    6: "arm for open",
    8: "cancel",
    10: "cancelled",
    13: "change",
    16: "closed",
    18: "connect",
    19: "deactivated",
    23: "disconnect",
    24: "changed",
    25: "downloaded",
    29: "established",
    35: "invalid",
    38: "not authorized",
    39: "opened",
    42: "connected",
    43: "corrupted",
    47: "loss detected",
    49: "re-established",
    52: "replaced",
    54: "start",
    55: "stop",
    58: "succeeded",
    67: "connect failed",
    68: "disconnected",
    77: "display",
    78: "displayed",
    79: "error",
    80: "opted in",
    81: "opted out",
    84: "disconnect failed",
    85: "failed",
    87: "display failed",
    105: "installed",
    150: "minimum limit reached",
    212: "removed",
    214: "reset",
    215: "reset occurred",
    216: "restored",
    219: "reversed",
    242: "started",
    243: "stopped",
    257: "tamper detected",
    298: "open",
    299: "close",
}

# "*" in the first part: the code applies to any device type.
EVENT_CODES_2013: dict[str, str] = {
    # firmware upgrade
    "3.11.17.52": "firmware replaced",
    "*.11.17.25": "firmware downloaded",
    "*.11.17.4": "firmware activated",
    "*.11.17.85": "firmware update failed",
    "*.11.17.43": "firmware corrupted",
    "*.11.124.24": "firmware version changed",
    "*.11.124.35": "firmware version invalid",
    "*.11.100.85": "self-test failed",
    # meter lifecycle: installation, energization, remote connect and disconnect
    "*.6.0.105": "device installed",
    "*.6.0.212": "device removed",
    "*.6.0.52": "device replaced (exchanged)",
    "3.26.0.85": "power failed",
    "3.26.0.216": "power restored",
    "3.31.0.23": "remote disconnect",
    "3.31.0.18": "remote connect",
    "3.31.0.68": "switch disconnected",
    "3.31.0.42": "switch connected",
    "3.31.0.84": "switch disconnect failed",
    "3.31.0.67": "switch connect failed",
    # meter trouble
    "3.18.85.85": "RAM memory failed",
    "3.18.92.85": "ROM memory failed",
    "3.18.72.85": "NVRAM memory failed",
    "*.18.31.79": "memory data error",
    "*.21.67.79": "measurement error",
    "3.2.22.150": "battery charge low",
    "*.36.116.85": "time synchronisation failed",
    "*.36.116.58": "time synchronisation succeeded",
    "*.36.114.24": "clock time changed",
    # tamper
    "*.12.0.257": "tamper detected",
    "3.12.29.212": "cover removed",
    "*.12.29.39": "cover opened",
    "*.12.29.16": "cover closed",
    "*.12.66.257": "magnetic tamper detected",
    "*.12.93.219": "reverse rotation detected",
    "*.12.1.38": "access not authorized",
    # communication
    "*.1.0.85": "communication failed",
    "*.1.0.47": "communication lost",
    "*.1.0.49": "communication re-established",
    "*.1.0.29": "communication established",
    # HAN/PAN pairing and programs
    "*.10.0.58": "PAN pairing succeeded",
    "*.10.0.85": "PAN pairing failed",
    "*.10.74.212": "PAN device association removed",
    "*.10.73.39": "pairing window opened",
    "*.10.73.16": "pairing window closed",
    "*.13.112.78": "text message displayed",
    "*.13.112.87": "text message display failed",
    "*.20.9.24": "pricing changed",
    # load control and demand response
    "*.15.0.242": "load control event started",
    "*.15.0.243": "load control event stopped",
    "*.15.0.10": "load control event cancelled",
    "*.15.0.80": "customer opted in to load control event",
    "*.15.0.81": "customer opted out of load control event",
    "*.8.0.215": "demand reset occurred",
}
CONTROL_CODES_2013: dict[str, str] = {
    # HAN/PAN pairing and programs
    "0.10.73.298": "pairing window open",
    "0.10.73.299": "pairing window close",
    "*.13.112.77": "display text message",
    "*.13.112.8": "cancel text message",
    "*.20.9.13": "change pricing",
    # load control and demand
    "0.15.0.54": "load control start",
    "0.15.0.55": "load control stop",
    "*.15.0.8": "cancel load control event",
    "*.15.148.8": "cancel all load control events",
    "*.8.0.214": "demand reset",
    # remote connect and disconnect
    "3.31.0.23": "remote disconnect",
    "3.31.0.18": "remote connect",
    "3.31.0.5": "arm switch for closure",
    "3.31.0.6": "arm switch for open",
    # firmware
    "*.11.17.54": "start firmware activation",
    "*.11.17.8": "cancel firmware update",
}
# No standard "ping" (communication test) code exists: a profile adds its own with
# CodeRegistry.extend().

# each part's enumeration, and whether it is listed here in full (a value missing from a full
# list is not an annex value; one missing from a partial list may still be one)
PARTS = (
    ("type", DEVICE_TYPES, True),
    ("domain", DOMAINS, True),
    ("subdomain", SUBDOMAINS, False),
    ("eventOrAction", EVENTS_OR_ACTIONS, False),
)


def describe_parts(code: str) -> str:
    """The name of each part of a four-part code, or "malformed"."""
    parts = code.split(".")
    if len(parts) != len(PARTS) or not all(p.isdigit() for p in parts):
        return "malformed"
    named = []
    for (what, names, full), part in zip(PARTS, parts, strict=True):
        name = names.get(int(part))
        if name is None:
            name = f"unknown {what}" if full else "(not named here)"
        named.append(f"{what} {part} {name}")
    return ", ".join(named)
