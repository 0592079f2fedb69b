#pragma once
// Azure built-in role definitions (real GUIDs, actions and data actions).
// Thread-safety: immutable data.
#include <string>
#include <vector>

namespace crosskey::arm {

struct RoleDefinition {
  std::string guid;  // e.g. "e147488a-f6f5-4113-8e2d-b22465e65bf6"
  std::string role_name;
  std::string description;
  std::vector<std::string> actions;
  std::vector<std::string> not_actions;
  std::vector<std::string> data_actions;
  std::vector<std::string> not_data_actions;
};

// Every built-in role the emulator knows, in a stable order.
const std::vector<RoleDefinition>& BuiltInRoleDefinitions();
// nullptr when no built-in role has that GUID (case-insensitive).
const RoleDefinition* FindBuiltInRoleByGuid(const std::string& guid);
// nullptr when no built-in role has that name (case-insensitive, as ARM's $filter is).
const RoleDefinition* FindBuiltInRoleByName(const std::string& name);

}  // namespace crosskey::arm
