"""Policy documents as plain data, with no cdktf: IAM statements and policies
(``policy``), VPC Lattice auth policies and their condition helpers
(``auth_policy``), JSON documents that may hold Terraform references
(``json_document``, ``token_text``). The config checks measure policies built here
before the bindings load."""
