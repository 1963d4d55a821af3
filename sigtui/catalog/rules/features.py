"""An image definition's features, architecture and the Hyper-V generation they need, as
Azure accepts them (REST `features[]`: `name`/`value` pairs; `architecture`: x64, Arm64).

az takes the features as one text of space-separated `name=value` pairs
(`--features "SecurityType=TrustedLaunch IsAcceleratedNetworkSupported=true"`); the
catalog keeps them as a mapping, in the order given, names in Azure's spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

from sigtui.catalog.model.enums import (
    Architecture,
    DiskControllerType,
    HyperVGeneration,
    SecurityType,
)
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules.checks import check_choice

SECURITY_TYPE = "SecurityType"
# az's way to ask for no security type: it leaves the feature out of the request
NO_SECURITY_TYPE = "Standard"
_BOOLEAN = ("True", "False")


def parse_features(text: str | None) -> dict[str, str]:
    """`"A=b C=d"` -> `{"A": "b", "C": "d"}`, as az splits `--features`."""
    features: dict[str, str] = {}
    for pair in (text or "").split():
        name, equals, value = pair.partition("=")
        if not equals or not name or not value:
            raise CatalogError(
                "SIG-INPUT",
                f"feature {pair!r} is not NAME=VALUE (e.g. SecurityType=TrustedLaunch)",
                field="features",
            )
        if name.casefold() in (known.casefold() for known in features):
            raise CatalogError("SIG-INPUT", f"feature {name!r} is given twice", field="features")
        features[name] = value
    return features


def format_features(features: Mapping[str, str]) -> str:
    """The features as az's `--features` takes them: `A=b C=d`."""
    return " ".join(f"{name}={value}" for name, value in features.items())


def _security_type(value: str) -> str:
    return check_choice(value, [t.value for t in SecurityType], "SecurityType", "features")


def _boolean(name: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        check_choice(value, _BOOLEAN, name, "features")
        return value  # kept as written: Azure stores the text it was given

    return check


def _disk_controllers(value: str) -> str:
    allowed = [t.value for t in DiskControllerType]
    for item in value.split(","):
        check_choice(item.strip(), allowed, "DiskControllerTypes item", "features")
    return value


# the feature names Azure knows, each with the check of its value
_VALUE_CHECKS: dict[str, Callable[[str], str]] = {
    SECURITY_TYPE: _security_type,
    "IsAcceleratedNetworkSupported": _boolean("IsAcceleratedNetworkSupported"),
    "IsHibernateSupported": _boolean("IsHibernateSupported"),
    "DiskControllerTypes": _disk_controllers,
}


def check_features(features: Mapping[str, str] | None) -> dict[str, str]:
    """Known names in Azure's spelling, each with a value Azure takes (SIG-INPUT);
    az's `SecurityType=Standard` (no security type) is left out, as az leaves it out."""
    checked: dict[str, str] = {}
    for given_name, value in (features or {}).items():
        name = check_choice(given_name, list(_VALUE_CHECKS), "feature", "features")
        if name in checked:
            raise CatalogError("SIG-INPUT", f"feature {name!r} is given twice", field="features")
        if name == SECURITY_TYPE and value.casefold() == NO_SECURITY_TYPE.casefold():
            continue
        checked[name] = _VALUE_CHECKS[name](value)
    return checked


@lru_cache(maxsize=8)  # bulk loads check millions
def check_architecture(value: str) -> str:
    return check_choice(value, [a.value for a in Architecture], "architecture", "architecture")


def check_generation_fits(
    hyper_v_generation: str, architecture: str, features: Mapping[str, str]
) -> None:
    """Trusted launch, confidential VMs and Arm64 run on Hyper-V generation 2 only: Azure
    refuses a V1 definition that asks for them."""
    if hyper_v_generation != HyperVGeneration.V1:
        return
    security = features.get(SECURITY_TYPE)
    if security is not None:
        raise CatalogError(
            "SIG-INPUT",
            f"feature SecurityType={security} needs Hyper-V generation V2, not V1",
            field="hyper_v_generation",
        )
    if architecture == Architecture.ARM64:
        raise CatalogError(
            "SIG-INPUT",
            "architecture Arm64 needs Hyper-V generation V2, not V1",
            field="hyper_v_generation",
        )
