"""logwarden's extension of moto: the AWS APIs and behaviours logwarden relies on that moto 5.2
lacks or is lenient about. `install()` registers every part on moto's own backends and url maps;
`server.py` installs it and serves moto's WSGI app. Nothing here is imported by production code.
"""


def install() -> None:
    from . import account, cloudtrail, ec2, guardduty, iam, logs, onboarding, organization

    # onboarding wraps guardduty's operations and adds IAM mappings that iam.install() checks.
    for part in (organization, guardduty, onboarding, logs, account, ec2, cloudtrail, iam):
        part.install()
