// syncdoctor: offline analyzer for Entra ID Cloud Sync and app provisioning logs.
#include "analyzer/cli.h"

int main(int argc, char** argv) { return syncdoctor::RunCli(argc, argv); }
