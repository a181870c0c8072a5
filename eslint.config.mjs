// One lint config for the workspace. Module boundaries are enforced here: schema at the
// bottom; checker, kafka-transport, pg-sink and service depend only on schema; alerts on
// schema and pg-sink (it evaluates inside the sink's write transaction); status (the read
// model) on schema; apps depend on libs
// and never on each other. The one exception is the composition root, apps/cli (the
// `sitewatch` command, type:cli): it runs the apps' commands and services, so it may depend
// on apps as well as libs, and nothing depends on it (docs/architecture.md).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '.nx'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    // Type-aware rules read each file's tsconfig (the project's, or tools/ and bench/).
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // tools/ (jest preset, local stack, test certificates) is dev tooling, not a project.
          allow: ['^(\\.\\./)+tools/'],
          depConstraints: [
            { sourceTag: 'scope:schema', onlyDependOnLibsWithTags: ['scope:schema'] },
            { sourceTag: 'scope:checker', onlyDependOnLibsWithTags: ['scope:schema'] },
            { sourceTag: 'scope:transport', onlyDependOnLibsWithTags: ['scope:schema'] },
            { sourceTag: 'scope:sink', onlyDependOnLibsWithTags: ['scope:schema'] },
            { sourceTag: 'scope:service', onlyDependOnLibsWithTags: ['scope:schema'] },
            { sourceTag: 'scope:alerts', onlyDependOnLibsWithTags: ['scope:schema', 'scope:sink'] },
            // The status read model reads through pg-sink's reading side; its tests write known data through the sink and the alerts.
            { sourceTag: 'scope:status', onlyDependOnLibsWithTags: ['scope:schema', 'scope:sink', 'scope:alerts'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Handlers implement async interfaces (a batch handler, a check) without always awaiting.
      '@typescript-eslint/require-await': 'off',
      // Objects here are closures returned by factories, never `this`-bound classes: a method
      // taken off one (\`const { start } = scheduler\`) is safe.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
