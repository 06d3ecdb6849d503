# TFLint settings for the lab: the bundled Terraform rules, recommended preset
# (typed and used variables, pinned providers, required_version, naming).
plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
