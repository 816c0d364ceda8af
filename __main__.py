"""The Pulumi program: declares the resources of stacks/<selected stack>.yaml."""

from didww_iac.program import main

main()
