// One lint config for the workspace. Module boundaries are enforced here: schema at the
// bottom; checker, kafka-transport, pg-sink and service depend only on schema; alerts on
// schema and pg-sink (it evaluates inside the sink's write transaction); apps depend on libs
// and never on each other.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '.nx'] },
  ...tseslint.configs.recommended,
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
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
